package draft

import "testing"

func TestLabelString(t *testing.T) {
	cases := []struct {
		label Label
		want  string
	}{
		{Label{}, ""},
		{Label{Deleted: true}, ""},
		{Label{Number: 3}, "3"},
		{Label{Number: 3, Deleted: true}, "3"},
		{Label{Number: 3, Added: 1}, "3 bis"},
		{Label{Number: 0, Added: 2}, "0 ter"},
		{Label{Number: 3, Added: 19}, "3 vicies"},
		{Label{Number: 3, Added: 20}, "3 (21)"},
		{Label{Number: 3, Alt: 1}, "3 alt"},
		{Label{Number: 3, Alt: 2}, "3 alt 2"},
		{Label{Prefix: "PP", Number: 2, Added: 2, Alt: 1}, "PP2 ter alt"},
		{Label{Prefix: "OP", Number: 12}, "OP12"},
	}
	for _, c := range cases {
		if got := c.label.String(); got != c.want {
			t.Errorf("%#v.String() = %q, want %q", c.label, got, c.want)
		}
	}
}

func TestParseLabel(t *testing.T) {
	cases := []struct {
		in   string
		want string // the label's String; empty for an error
	}{
		{"3", "3"},
		{" 3 bis ", "3 bis"},
		{"3bis", "3 bis"},
		{"3 BIS", "3 bis"},
		{"3 quáter", "3 quater"},
		{"3 QUÁTER", "3 quater"},
		{"0 bis", "0 bis"},
		{"3 vicies", "3 vicies"},
		{"3 (21)", "3 (21)"},
		{"3(21)", "3 (21)"},
		{"3 alt", "3 alt"},
		{"3 alt 1", "3 alt"},
		{"3alt2", "3 alt 2"},
		{"op3 Ter", "OP3 ter"},
		{"PP2 ter alt 2", "PP2 ter alt 2"},
		{"PP 2", "PP2"},
		{"", ""},
		{"bis", ""},
		{"0", ""},
		{"3 bs", ""},
		{"3 (20)", ""}, // the twentieth is vicies
		{"3 (21", ""},
		{"3 alt bis", ""},
		{"3.1", ""},
		{"-3", ""},
		{"XP3", ""},
		{"3 bis bis", ""},
	}
	for _, c := range cases {
		l, err := ParseLabel(c.in)
		switch {
		case c.want == "" && err == nil:
			t.Errorf("ParseLabel(%q) = %q, want an error", c.in, l)
		case c.want != "" && err != nil:
			t.Errorf("ParseLabel(%q): %v", c.in, err)
		case l.String() != c.want:
			t.Errorf("ParseLabel(%q) = %q, want %q", c.in, l, c.want)
		}
	}
}

// TestParseLabelRoundTrip reads back every label Number can print.
func TestParseLabelRoundTrip(t *testing.T) {
	for _, prefix := range []string{"", "PP", "OP"} {
		for number := range 3 {
			for added := range 25 {
				for alt := range 4 {
					l := Label{Prefix: prefix, Number: number, Added: added, Alt: alt}
					if !l.Numbered() {
						continue
					}
					got, err := ParseLabel(l.String())
					if err != nil || got != l {
						t.Errorf("ParseLabel(%q) = %#v, %v; want %#v", l, got, err, l)
					}
				}
			}
		}
	}
}
