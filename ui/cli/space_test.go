package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/storage"
)

// TestFullDisk: on a disk without room, add prints the refusal (what is
// free, what is needed) and exits 1 with no trace; the read-only commands
// open the store read-only and work; once the space is back, add works.
func TestFullDisk(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	var free atomic.Uint64
	free.Store(100 << 30)
	open := func(dir string, pass []byte) (*app.Service, func() error, error) {
		st, err := storage.Open(dir, storage.Options{Passphrase: pass, FreeSpace: func(string) (uint64, error) { return free.Load(), nil }})
		if err != nil {
			return nil, nil, err
		}
		svc, err := app.NewService(st)
		if err != nil {
			st.Close()
			return nil, nil, err
		}
		return svc, st.Close, nil
	}
	run := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		code := Run(&Env{Stdout: &out, Stderr: &errb, Open: open}, append([]string{"--data", dir}, args...))
		return out.String(), errb.String(), code
	}
	add := []string{"add", "note", "--title", "Nota", "--body", "Documentación", "--subregion", "andes", "--country", "EC", "--theme", "broad-protection"}
	if _, errs, code := run("init", "--title", "Cartagena +40"); code != 0 {
		t.Fatal(errs)
	}
	id, errs, code := run(add...)
	if code != 0 {
		t.Fatal(errs)
	}
	id = strings.TrimSpace(id)

	free.Store(12 << 20)
	out, errs, code := run(add...)
	if code != 1 || out != "" {
		t.Fatalf("add on a full disk: exit %d, stdout %q", code, out)
	}
	if !strings.HasPrefix(errs, "consulta: ") || !strings.Contains(errs, "has 12 MB free; Consulta needs at least") ||
		!strings.Contains(errs, "Free some space and try again") || strings.Count(errs, "\n") != 1 || strings.Contains(errs, "goroutine") {
		t.Fatalf("add on a full disk said %q", errs)
	}
	for _, args := range [][]string{{"list"}, {"show", id}, {"check"}, {"stats"}, {"list", "--json"}, {"export", "--format", "csv", "--out", filepath.Join(t.TempDir(), "x.csv")}} {
		out, errs, code := run(args...)
		if code != 0 {
			t.Fatalf("%v on a full disk: exit %d: %s", args, code, errs)
		}
		if args[0] == "list" && !strings.Contains(out, id) {
			t.Fatalf("list on a full disk: %s", out)
		}
	}

	free.Store(100 << 30)
	if _, errs, code := run(add...); code != 0 {
		t.Fatalf("add once the space is back: %s", errs)
	}
	if out, _, _ := run("list"); strings.Count(out, "Nota") != 2 {
		t.Fatalf("list: %s", out)
	}
}
