package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goBuild runs the go command in dir with env added.
func goRun(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// A small Windows program linked with the resources tools/winres writes
// from FyneApp.toml reads back, through this package, with the version,
// name, icon sizes and manifest winres was given; one linked without them
// is refused. (make dist checks the real consulta.exe the same way.)
func TestReadsBackWhatWinresWrote(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a Windows program")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	toml := filepath.Join(root, "FyneApp.toml")
	version := goRun(t, root, nil, "run", "./tools/winres", "-toml", toml, "-print", "fileversion")

	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module hello\n\ngo 1.22\n")
	write("main.go", "package main\n\nfunc main() {}\n")
	win := []string{"GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0", "GOFLAGS=-mod=mod"}
	// Without resources first.
	bare := filepath.Join(dir, "bare.exe")
	goRun(t, dir, win, "build", "-o", bare, ".")
	var out bytes.Buffer
	if err := check(&out, bare, version, "Consulta", true); err == nil {
		t.Errorf("a console program without resources passed:\n%s", &out)
	} else if !strings.Contains(err.Error(), "no resources") || !strings.Contains(err.Error(), "subsystem") {
		t.Errorf("the bare program's refusal does not say why: %v", err)
	}

	goRun(t, root, nil, "run", "./tools/winres", "-toml", toml, "-out", filepath.Join(dir, "rsrc_windows_amd64.syso"))
	exe := filepath.Join(dir, "hello.exe")
	goRun(t, dir, win, "build", "-ldflags", "-H windowsgui", "-o", exe, ".")
	out.Reset()
	if err := check(&out, exe, version, "Consulta", true); err != nil {
		t.Fatalf("%v\n%s", err, &out)
	}
	got := out.String()
	for _, want := range []string{
		"subsystem windows GUI",
		"version: file " + version + ", product " + version,
		"ProductName:     Consulta",
		"OriginalFilename: consulta.exe",
		"icon:    16x16 png, 24x24 png, 32x32 png, 48x48 png, 64x64 png, 256x256 png",
		"manifest: present",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("pecheck's report lacks %q:\n%s", want, got)
		}
	}
	// A different expected version is caught.
	if err := check(&bytes.Buffer{}, exe, "9.9.9.9", "Consulta", true); err == nil || !strings.Contains(err.Error(), `want "9.9.9.9"`) {
		t.Errorf("a wrong version passed: %v", err)
	}
}

// parseBlock refuses truncated or overlong blocks rather than reading past
// them (the resource bytes come from the file).
func TestParseVersionRefusesDamage(t *testing.T) {
	for _, b := range [][]byte{nil, {1, 0}, {200, 0, 0, 0, 0, 0, 'V', 0}, {6, 0, 52, 0, 0, 0}} {
		if _, err := parseVersion(b); err == nil {
			t.Errorf("parseVersion(%v) accepted damaged bytes", b)
		}
	}
}
