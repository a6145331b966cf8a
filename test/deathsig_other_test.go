//go:build unix && !linux

package test

import "syscall"

// dieWithTest: only Linux can tie a child's life to its parent's; elsewhere
// t.Cleanup alone stops the emulator.
func dieWithTest(*syscall.SysProcAttr) {}
