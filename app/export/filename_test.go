package export_test

import (
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/cartagena-c40/consulta/app/export"
)

func TestSafeFileName(t *testing.T) {
	long := strings.Repeat("Protección ", 40) // 440 characters
	cases := []struct{ in, want string }{
		{"Cartagena +40 2026-12-06.docx", "Cartagena +40 2026-12-06.docx"},
		{"José Núñez – propuestas.csv", "José Núñez – propuestas.csv"},
		{`Plan 2025/2030: "Brasil"? <borrador> | a*b\c.pdf`, "Plan 2025-2030- -Brasil-- -borrador- - a-b-c.pdf"},
		{"tab\there\nnewline.md", "tab-here-newline.md"},
		{"acta.", "acta"},
		{"acta. . ", "acta"},
		{"  leading spaces.md", "leading spaces.md"},
		{"CON", "_CON"},
		{"con.csv", "_con.csv"},
		{"Nul.tar.gz", "_Nul.tar.gz"},
		{"AUX .txt", "_AUX .txt"},
		{"prn.md", "_prn.md"},
		{"COM1.xlsx", "_COM1.xlsx"},
		{"lpt9", "_lpt9"},
		{"COM0.csv", "_COM0.csv"},
		{"LPT¹.csv", "_LPT¹.csv"},
		{"CONOUT$.txt", "_CONOUT$.txt"},
		// Not device names: longer, or the name only starts like one.
		{"CONSULTA.csv", "CONSULTA.csv"},
		{"COM10.csv", "COM10.csv"},
		{"console log.md", "console log.md"},
		{"CON 2026-12-06.csv", "CON 2026-12-06.csv"},
		{"", "consulta"},
		{"...", "consulta"},
		{"///", "---"},
	}
	for _, c := range cases {
		if got := export.SafeFileName(c.in); got != c.want {
			t.Errorf("SafeFileName(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	got := export.SafeFileName(long + ".docx")
	if n := len(utf16.Encode([]rune(got))); n > 255 {
		t.Errorf("a long name stays %d UTF-16 units long", n)
	}
	if n := len(utf16.Encode([]rune(got))); n < 245 || !strings.HasPrefix(got, "Protección Protección") ||
		!strings.HasSuffix(got, "Protecci.docx") {
		t.Errorf("a long name is cut inside its stem, its extension kept and no space before it: %q", got)
	}
	// Astral characters count twice in UTF-16 and are never split.
	emoji := strings.Repeat("🌎", 200) + ".md"
	got = export.SafeFileName(emoji)
	if n := len(utf16.Encode([]rune(got))); n > 255 || !strings.HasSuffix(got, ".md") {
		t.Errorf("SafeFileName(200 globes.md) is %d units: %q", n, got)
	}
	if strings.ContainsRune(got, '\uFFFD') {
		t.Errorf("a surrogate pair was split: %q", got)
	}
}
