package cli

import (
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
