package test

import "syscall"

// dieWithTest makes the kernel kill a child process when the test binary
// dies, even by a -timeout that skips every t.Cleanup.
func dieWithTest(attr *syscall.SysProcAttr) { attr.Pdeathsig = syscall.SIGKILL }
