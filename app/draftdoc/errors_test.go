package draftdoc_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draftdoc"
)

// TestRefusals: what cannot be written is refused with a message that
// says what there is, and no file appears, not even a partial one.
func TestRefusals(t *testing.T) {
	s := newSmallDraft(t)
	dir := t.TempDir()
	for _, c := range []struct {
		opts draftdoc.Options
		says string
	}{
		{draftdoc.Options{Kind: "minutes"}, `"minutes" is not a drafting document`},
		{draftdoc.Options{Kind: draftdoc.Status, Format: "pdf"}, "the status is not written as pdf"},
		{draftdoc.Options{Kind: draftdoc.Revision, Rev: 7}, "no Rev.7; its latest is Rev.2"},
		{draftdoc.Options{Kind: draftdoc.Changes, Rev: 0, Against: draftdoc.Latest}, "the zero draft has no revision before it"},
		{draftdoc.Options{Section: "Capítulo 9"}, `no section heading of this draft matches "Capítulo 9"`},
		{draftdoc.Options{Proponent: "Narnia"}, `no amendment to this draft is proposed by "Narnia"`},
		{draftdoc.Options{Lang: "de"}, "de"},
		{draftdoc.Options{Draft: s.paras["1"]}, "not a draft"},
	} {
		path := filepath.Join(dir, "out")
		err := draftdoc.Write(s.svc, c.opts, path)
		var e *app.Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%+v: %v, want an app.Error saying %q", c.opts, err, c.says)
		}
		if _, err := os.Stat(path); err == nil {
			t.Errorf("%+v left a file", c.opts)
		}
	}
	if err := draftdoc.Write(s.svc, draftdoc.Options{Section: "Capítulo 9"}, filepath.Join(dir, "x")); err == nil || !strings.Contains(err.(*app.Error).Valid[1], "Soluciones duraderas") {
		t.Errorf("a section that matches nothing does not list the headings: %v", err)
	}
	if err := draftdoc.Write(s.svc, draftdoc.Options{}, filepath.Join(dir, "no such folder", "c.docx")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("a folder that does not exist: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("refused documents left %d files", len(entries))
	}
}

// TestNoDraft: a workspace without a draft says so.
func TestNoDraft(t *testing.T) {
	svc := newService(t)
	err := draftdoc.Write(svc, draftdoc.Options{}, filepath.Join(t.TempDir(), "c.docx"))
	if app.KindOf(err) != app.NotFound || !strings.Contains(err.Error(), "no drafts yet") {
		t.Fatalf("%v", err)
	}
}

// TestProgress: a long document reports its progress, ending at done.
func TestProgress(t *testing.T) {
	s := newSmallDraft(t)
	var calls [][2]int
	opts := draftdoc.Options{Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }}
	if err := draftdoc.Write(s.svc, opts, filepath.Join(t.TempDir(), "c.pdf")); err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 || calls[len(calls)-1] != [2]int{1, 1} || calls[0][0] >= calls[0][1] {
		t.Fatalf("progress %v", calls)
	}
}
