package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/ui/buildinfo"
)

func TestVersion(t *testing.T) {
	b := buildinfo.Info{Name: "Consulta", Version: "0.1.0", Build: 1, Revision: "2563859ab1c2d3e4", GoVersion: "go1.26.8", Platform: "windows/amd64"}
	run := func(args ...string) (string, string, int) {
		var out, errb bytes.Buffer
		// No data directory is opened: Open is nil and would panic.
		code := Run(&Env{Stdout: &out, Stderr: &errb, Build: b}, append([]string{"--data", t.TempDir() + "/none"}, args...))
		return out.String(), errb.String(), code
	}
	out, errs, code := run("version")
	if code != 0 || strings.TrimSpace(out) != "Consulta 0.1.0 (build 1), revision 2563859ab1c2, go1.26.8 windows/amd64" {
		t.Errorf("version: exit %d, %q %q", code, out, errs)
	}
	out, _, code = run("version", "--json")
	var got buildinfo.Info
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil || got != b {
		t.Errorf("version --json: exit %d, %v: %s", code, err, out)
	}
	if _, _, code := run("version", "extra"); code != exitUsage {
		t.Errorf("version extra: exit %d, want %d", code, exitUsage)
	}
}
