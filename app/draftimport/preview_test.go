package draftimport

import (
	"slices"
	"strings"
	"testing"
)

func TestPreview(t *testing.T) {
	long := strings.Repeat("palabra ", LongParagraphWords+1)
	tests := []struct {
		name      string
		outline   Outline
		sections  int
		paras     int
		parts     [2]int // preambular, operative
		first     []string
		warnings  []string
		lineCount int // of String()
	}{
		{
			name: "a well-formed draft",
			outline: Outline{Title: "Declaración", Format: FormatDOCX, Blocks: []Block{
				{Heading: true, Level: 1, Text: "Preámbulo"},
				{Text: "Recordando la Declaración de Cartagena sobre Refugiados de 1984 y su contribución a la protección,", Part: PartPreambular},
				{Heading: true, Level: 1, Text: "Parte dispositiva"},
				{Text: "Decide fortalecer los sistemas nacionales de asilo.", Part: PartOperative},
			}},
			sections: 2, paras: 2, parts: [2]int{1, 1},
			first: []string{"Recordando la Declaración de Cartagena sobre Refugiados de 1984 y su contribución …",
				"Decide fortalecer los sistemas nacionales de asilo."},
			lineCount: 7,
		},
		{
			name: "no title, no headings, long and short paragraphs",
			outline: Outline{Format: FormatText, Blocks: []Block{
				{Text: long}, {Text: "Protección"}, {Text: "Texto normal de un párrafo."},
			}},
			paras:     3,
			first:     []string{firstWords(long, previewWords), "Protección", "Texto normal de un párrafo."},
			warnings:  []string{WarnNoTitle, WarnNoHeadings, WarnLongParagraphs, WarnShortParagraphs},
			lineCount: 11,
		},
		{
			name: "paragraphs before the first heading, an empty section, partial labels",
			outline: Outline{Title: "T", Format: FormatMarkdown, Warnings: []Warning{{Code: WarnHTML, Count: 1, Message: "1 block of HTML was left out"}},
				Blocks: []Block{
					{Text: "Apertura de la declaración.", Number: "PP1", Part: PartPreambular},
					{Heading: true, Level: 1, Text: "Vacío"},
					{Heading: true, Level: 1, Text: "Capítulo"},
					{Heading: true, Level: 2, Text: "Sub"},
					{Text: "Un párrafo sin etiqueta."},
				}},
			sections: 3, paras: 2, parts: [2]int{1, 0},
			first:     []string{"Apertura de la declaración.", "Un párrafo sin etiqueta."},
			warnings:  []string{WarnHTML, WarnBeforeHeading, WarnEmptySections, WarnPartial},
			lineCount: 11,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Preview(&tt.outline)
			if s.Sections != tt.sections || s.Paragraphs != tt.paras || s.Preambular != tt.parts[0] || s.Operative != tt.parts[1] {
				t.Errorf("sections %d, paragraphs %d, parts %d/%d; want %d, %d, %v",
					s.Sections, s.Paragraphs, s.Preambular, s.Operative, tt.sections, tt.paras, tt.parts)
			}
			if !slices.Equal(s.FirstWords, tt.first) {
				t.Errorf("first words %q, want %q", s.FirstWords, tt.first)
			}
			if got := warningCodes(s.Warnings); !slices.Equal(got, tt.warnings) {
				t.Errorf("warnings %v, want %v", got, tt.warnings)
			}
			out := s.String()
			if n := strings.Count(out, "\n"); n != tt.lineCount {
				t.Errorf("String() has %d lines, want %d:\n%s", n, tt.lineCount, out)
			}
		})
	}
}

func TestPreviewMessages(t *testing.T) {
	o, err := ReadFile("testdata/tabla.docx")
	if err != nil {
		t.Fatal(err)
	}
	out := Preview(o).String()
	for _, want := range []string{
		"Read as:     Word document (.docx)",
		"Title:       Plano de Ação: quadro de compromissos",
		"Sections:    2 (2 chapters)",
		"Paragraphs:  5 (36 words)",
		"¶1  Os compromissos estão listados na tabela seguinte.",
		"Warning: 1 table was read cell by cell, row by row",
		"Warning: 1 table header row was left out",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("preview lacks %q:\n%s", want, out)
		}
	}
	if formatCount(1234567) != "1,234,567" || formatCount(999) != "999" {
		t.Errorf("formatCount: %s, %s", formatCount(1234567), formatCount(999))
	}
}
