package draftimport

import "testing"

func TestParagraphLabel(t *testing.T) {
	tests := []struct {
		in, number, part, rest string
	}{
		{"1. Texto", "1", "", "Texto"},
		{"12) Texto", "12", "", "Texto"},
		{"(3) Texto", "3", "", "Texto"},
		{"4.- Texto", "4", "", "Texto"},
		{"3.2. Texto", "3.2", "", "Texto"},
		{"5 bis. Texto", "5 bis", "", "Texto"},
		{"PP3 Recordando", "PP3", PartPreambular, "Recordando"},
		{"PP.3 Recordando", "PP3", PartPreambular, "Recordando"},
		{"OP 4. Decide", "OP4", PartOperative, "Decide"},
		{"OP4: Decide", "OP4", PartOperative, "Decide"},
		{"OP 2 ter) Decide", "OP2 ter", PartOperative, "Decide"},
		{"PO5 Decide", "PO5", PartOperative, "Decide"},
		// Not labels: figures, words, a label with nothing after it.
		{"3.2 millones de personas", "", "", "3.2 millones de personas"},
		{"1.000 personas", "", "", "1.000 personas"},
		{"2024. Un año", "", "", "2024. Un año"},
		{"OPERATIVE part", "", "", "OPERATIVE part"},
		{"op1 decide", "", "", "op1 decide"},
		{"PP3", "", "", "PP3"},
		{"1.", "", "", "1."},
	}
	for _, tt := range tests {
		number, part, rest := paragraphLabel(tt.in)
		if number != tt.number || part != tt.part || rest != tt.rest {
			t.Errorf("paragraphLabel(%q) = %q, %q, %q; want %q, %q, %q", tt.in, number, part, rest, tt.number, tt.part, tt.rest)
		}
	}
}

func TestHeadingLabel(t *testing.T) {
	tests := []struct {
		in, number, rest string
	}{
		{"I. Protección", "I", "Protección"},
		{"XIV) Seguimiento", "XIV", "Seguimiento"},
		{"2.3 Apatridia", "2.3", "Apatridia"},
		{"2.3. Apatridia", "2.3", "Apatridia"},
		{"4. Soluciones", "4", "Soluciones"},
		{"B) Niñez", "B", "Niñez"},
		{"Capítulo I. Protección", "", "Capítulo I. Protección"},
		{"40 años de Cartagena", "", "40 años de Cartagena"},
		{"CIVIL. Sociedad", "", "CIVIL. Sociedad"},
		{"IV.", "", "IV."},
	}
	for _, tt := range tests {
		number, rest := headingLabel(tt.in)
		if number != tt.number || rest != tt.rest {
			t.Errorf("headingLabel(%q) = %q, %q; want %q, %q", tt.in, number, rest, tt.number, tt.rest)
		}
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  uno \t dos\n\ntres  ", "uno dos tres"},
		{"pro\u00adtec\u200bción", "protección"},
		{"re\u0301fugie\u0301", "réfugié"},
		{"réinstallation\u00a0;", "réinstallation\u00a0;"},
		{"línea\u2028nueva\x07", "línea nueva"},
		{"\ufeffinicio", "inicio"},
	}
	for _, tt := range tests {
		if got := cleanText(tt.in); got != tt.want {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRenumberLevels(t *testing.T) {
	tests := []struct {
		in, want []int // heading levels in order; 0 stands for a paragraph
	}{
		{[]int{2, 0, 4, 0, 2}, []int{1, 0, 2, 0, 1}},
		{[]int{1, 3, 3, 1}, []int{1, 2, 2, 1}},
		{[]int{0, 0}, []int{0, 0}},
		{[]int{5}, []int{1}},
	}
	for _, tt := range tests {
		var blocks []Block
		for _, l := range tt.in {
			blocks = append(blocks, Block{Heading: l > 0, Level: l})
		}
		renumberLevels(blocks)
		for i, b := range blocks {
			if b.Level != tt.want[i] {
				t.Errorf("%v: got level %d at %d, want %v", tt.in, b.Level, i, tt.want)
				break
			}
		}
	}
}
