package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestProtectFlow: protect a workspace, find it closed without the
// passphrase and with a wrong one, open it with the right one, change it.
func TestProtectFlow(t *testing.T) {
	h := newHarness(t)
	h.ok("init", "--title", "Cartagena +40")
	id := h.ok("add", "note", "--title", "Persona en riesgo", "--subregion", "andes", "--theme", "broad-protection")
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("una frase larga\n"), 0o600)
	wrong := filepath.Join(dir, "wrong")
	os.WriteFile(wrong, []byte("otra cosa\n"), 0o600)
	newPass := filepath.Join(dir, "new")
	os.WriteFile(newPass, []byte("la nueva frase\n"), 0o600)

	if _, errs, code := h.run("", "protect"); code != 2 || !strings.Contains(errs, "passphrase") {
		t.Fatalf("protect without a passphrase: %d %s", code, errs)
	}
	h.ok("--passphrase-file", pass, "protect")
	if _, errs, code := h.run("", "show", id); code != 2 || !strings.Contains(errs, "protected by a passphrase") {
		t.Fatalf("show without the passphrase: %d %s", code, errs)
	}
	if _, errs, code := h.run("", "--passphrase-file", wrong, "show", id); code != 2 || !strings.Contains(errs, "wrong passphrase") {
		t.Fatalf("show with a wrong passphrase: %d %s", code, errs)
	}
	if out := h.ok("--passphrase-file", pass, "show", id); !strings.Contains(out, "Persona en riesgo") {
		t.Fatalf("show: %s", out)
	}
	h.ok("--passphrase-file", pass, "protect", "--new-passphrase-file", newPass)
	if _, _, code := h.run("", "--passphrase-file", pass, "show", id); code != 2 {
		t.Fatal("the old passphrase still opens")
	}
	if out := h.ok("--passphrase-file", newPass, "show", id); !strings.Contains(out, "Persona en riesgo") {
		t.Fatalf("show after the change: %s", out)
	}
	// init with a passphrase creates a protected directory.
	p := newHarness(t)
	p.ok("--passphrase-file", pass, "init", "--title", "Protegido")
	if _, _, code := p.run("", "list"); code != 2 {
		t.Fatal("a directory created with a passphrase opens without it")
	}
}

// TestBackupRestoreCheck: back up a protected workspace, restore it
// elsewhere with the passphrase, check both.
func TestBackupRestoreCheck(t *testing.T) {
	dir := t.TempDir()
	pass := filepath.Join(dir, "pass")
	os.WriteFile(pass, []byte("frase de prueba\n"), 0o600)
	h := newHarness(t)
	h.ok("--passphrase-file", pass, "init", "--title", "Cartagena +40")
	h.ok("--passphrase-file", pass, "demo", "--records", "60", "--seed", "4")
	if out := h.ok("--passphrase-file", pass, "check"); !strings.Contains(out, "no problems found") {
		t.Fatalf("check: %s", out)
	}
	bak := filepath.Join(dir, "copia.bak")
	h.ok("--passphrase-file", pass, "backup", "--out", bak)
	b, _ := os.ReadFile(bak)
	if strings.Contains(string(b), "Cartagena") {
		t.Fatal("the backup of a protected workspace holds plaintext")
	}
	r := newHarness(t)
	if _, errs, code := r.run("", "restore", bak); code != 2 || !strings.Contains(errs, "encrypted") {
		t.Fatalf("restore without the passphrase: %d %s", code, errs)
	}
	r.ok("--passphrase-file", pass, "restore", bak)
	var a, c []map[string]any
	json.Unmarshal([]byte(h.ok("--passphrase-file", pass, "list", "--json", "--limit", "0")), &a)
	json.Unmarshal([]byte(r.ok("--passphrase-file", pass, "list", "--json", "--limit", "0")), &c)
	if len(a) == 0 || len(a) != len(c) {
		t.Fatalf("restored %d records of %d", len(c), len(a))
	}
	if out := r.ok("--passphrase-file", pass, "check", "--json"); !strings.Contains(out, `"problems": []`) {
		t.Fatalf("check of the restored copy: %s", out)
	}
	if _, errs, code := r.run("", "--passphrase-file", pass, "restore", bak); code != 2 || !strings.Contains(errs, "not empty") {
		t.Fatalf("restore over a workspace: %d %s", code, errs)
	}
}
