package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJoinSaysWhatItDid: what join prints and its exit status agree, and a
// join that fails leaves the data directory as it was, so that join can be
// run again.
func TestJoinSaysWhatItDid(t *testing.T) {
	a := newHarness(t)
	a.ok("init", "--title", "Cartagena +40")
	a.ok("add", "note", "--title", "Documentación en tránsito", "--subregion", "andes", "--theme", "broad-protection")
	code := a.ok("invite")
	_, ln := serveSync(t, a.dir)
	member := ln.Addr().String()

	other := newHarness(t)
	other.ok("init", "--title", "Otra consulta")
	foreign := other.ok("invite")
	typo := "X" + code[1:] // the checksum catches it
	if code[0] == 'X' {
		typo = "Y" + code[1:]
	}

	for _, tc := range []struct {
		name   string
		fresh  func(t *testing.T, dir string) // prepares the data directory; nil: it does not exist
		args   []string
		status int
		stdout string   // trimmed
		stderr []string // each must appear
		joined bool     // the data directory holds the workspace afterwards
		// foreignDir: the data directory holds files of something else
		foreignDir bool
	}{
		{name: "peer reachable", args: []string{code, "--peer", member},
			status: 0, stdout: "Cartagena +40", stderr: []string{`joined workspace "Cartagena +40"`, "and synced"}, joined: true},
		{name: "into an empty directory", fresh: func(t *testing.T, dir string) { mkdir(t, dir) }, args: []string{code, "--peer", member},
			status: 0, stdout: "Cartagena +40", stderr: []string{"joined workspace"}, joined: true},
		{name: "one peer reachable, another not", args: []string{code, "--peer", member, "--peer", "127.0.0.1:1"},
			status: 0, stdout: "Cartagena +40", stderr: []string{"peer 127.0.0.1:1", "joined workspace"}, joined: true},
		{name: "no peer found", args: []string{code},
			status: exitNoPeer, stderr: []string{"not joined", "no member laptop was given", "nothing was kept", "--peer HOST:PORT"}},
		{name: "peer unreachable", args: []string{code, "--peer", "127.0.0.1:1"},
			status: 1, stderr: []string{"not joined", "peer 127.0.0.1:1", "nothing was kept", "the address is right"}},
		{name: "code of another workspace", args: []string{foreign, "--peer", member},
			status: 1, stderr: []string{"not joined", "does not hold this workspace's join code", "nothing was kept", "consulta invite"}},
		{name: "not a join code", args: []string{"0000-1111", "--peer", member},
			status: 2, stderr: []string{"join code"}},
		{name: "mistyped code", args: []string{typo, "--peer", member},
			status: 2, stderr: []string{"join code"}},
		{name: "into a store with no workspace", fresh: func(t *testing.T, dir string) { // a first run left before joining
			_, closeStore, err := openStore(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			closeStore()
		}, args: []string{code, "--peer", member},
			status: 0, stdout: "Cartagena +40", stderr: []string{"joined workspace"}, joined: true},
		{name: "into a store with no workspace, code refused", fresh: func(t *testing.T, dir string) {
			_, closeStore, err := openStore(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			closeStore()
		}, args: []string{foreign, "--peer", member},
			status: 1, stderr: []string{"not joined", "does not hold this workspace's join code"}},
		{name: "directory of other files", fresh: func(t *testing.T, dir string) {
			mkdir(t, dir)
			if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
				t.Fatal(err)
			}
		}, args: []string{code, "--peer", member},
			status: 1, stderr: []string{"not a Consulta data directory"}, foreignDir: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t)
			if tc.fresh != nil {
				tc.fresh(t, h.dir)
			}
			before := listDir(t, filepath.Dir(h.dir))
			out, errs, status := h.run("", append([]string{"join", "--no-mdns"}, tc.args...)...)
			if status != tc.status || strings.TrimSpace(out) != tc.stdout {
				t.Fatalf("exit %d, stdout %q, want exit %d, stdout %q; stderr:\n%s", status, out, tc.status, tc.stdout, errs)
			}
			for _, want := range tc.stderr {
				if !strings.Contains(errs, want) {
					t.Errorf("stderr lacks %q:\n%s", want, errs)
				}
			}
			if !tc.joined {
				for _, wrong := range []string{"joined workspace", "member now"} {
					if strings.Contains(errs, wrong) {
						t.Errorf("a failed join says %q:\n%s", wrong, errs)
					}
				}
				if after := listDir(t, filepath.Dir(h.dir)); after != before {
					t.Errorf("a failed join left %s, where there was %s", after, before)
				}
				if _, errs, status := h.run("", "invite"); status == 0 {
					t.Errorf("after a failed join, invite works: %s", errs)
				}
				if tc.foreignDir {
					return
				}
				// Nothing half-joined: the same laptop joins when it can.
				h.ok("join", "--no-mdns", code, "--peer", member)
			}
			if got := h.listJSON(); len(got) != 1 || got[0]["title"] != "Documentación en tránsito" {
				t.Fatalf("the joined laptop holds %v", got)
			}
			if _, errs, status := h.run("", "join", "--no-mdns", code, "--peer", member); status != 2 || !strings.Contains(errs, "already holds workspace \"Cartagena +40\"") {
				t.Fatalf("joining again: exit %d: %s", status, errs)
			}
			if entries, _ := os.ReadDir(filepath.Dir(h.dir)); len(entries) != 1 {
				t.Errorf("the data directory's parent holds %v", entries)
			}
		})
	}
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

// listDir returns the names in dir as one string.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	var names []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return strings.Join(names, " ")
}
