package app

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// CleanPanic turns a panic raised by the CDK (a JavaScript error carried
// through jsii) into its message, without the Go and JavaScript stack
// traces that would hide it.
func CleanPanic(r any) string {
	msg := fmt.Sprint(r)
	if err, ok := r.(error); ok {
		msg = err.Error()
	}
	var keep []string
	for _, line := range strings.Split(msg, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "at ") || strings.HasPrefix(t, "goroutine ") || t == "" {
			continue
		}
		keep = append(keep, strings.TrimRight(line, " "))
	}
	return strings.Join(keep, "\n")
}

// FailedSynth explains a panic raised during synthesis. When the CDK wrote a
// validation report, only that report is kept, in outdir, and the message
// points there: no template of a failed synth is published.
func FailedSynth(r any, staging, outdir string) string {
	msg := CleanPanic(r)
	const report = "validation-report.json"
	if _, err := os.Stat(filepath.Join(staging, report)); err == nil {
		if os.MkdirAll(outdir, 0o755) == nil && copyFile(filepath.Join(staging, report), filepath.Join(outdir, report)) == nil {
			msg = strings.ReplaceAll(msg, filepath.Join(staging, report), filepath.Join(outdir, report))
		}
	}
	return strings.ReplaceAll(msg, staging, outdir)
}

// Publish copies a finished cloud assembly from staging into outdir,
// creating outdir if needed. Files of an earlier synth that this one did not
// write stay; manifest.json, written last, names what belongs to this one.
func Publish(staging, outdir string) error {
	if err := os.MkdirAll(outdir, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	var manifest string
	err := filepath.WalkDir(staging, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(staging, path)
		target := filepath.Join(outdir, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if rel == "manifest.json" {
			manifest = path
			return nil
		}
		return copyFile(path, target)
	})
	if err == nil && manifest != "" {
		err = copyFile(manifest, filepath.Join(outdir, "manifest.json"))
	}
	if err != nil {
		return fmt.Errorf("publish the cloud assembly to %s: %w", outdir, err)
	}
	return nil
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	tmp := dst + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}

// writeAtomic writes a file through a temporary file in the same
// directory, so that a reader never sees half of it.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if info, err := os.Stat(path); err == nil {
		_ = os.Chmod(tmp.Name(), info.Mode().Perm())
	} else {
		_ = os.Chmod(tmp.Name(), 0o644)
	}
	return os.Rename(tmp.Name(), path)
}
