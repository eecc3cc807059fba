package draftdoc

import (
	"fmt"
	"strings"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draft"
)

// writer is what the documents need from a format: DOCX, PDF and
// Markdown each implement it, and one render function per document walks
// the Doc once for all of them.
//
// Marked text is a list of draft.Change: kept, inserted or deleted
// pieces. whole says a heading or paragraph was itself inserted or
// deleted (Word tracks its paragraph mark too).
type writer interface {
	title(text string, lines [][2]string) // the title block: label (with its colon), value
	heading(level int, text []draft.Change, whole draft.ChangeKind)
	para(number, text []draft.Change, whole draft.ChangeKind)
	// amendment is one amendment under its paragraph: a head line (what,
	// by whom, its status), its text marked, and lines about it.
	amendment(head string, text []draft.Change, notes []string)
	note(text string) // a small line that is not the draft's text
	table(header []string, rows [][]string)
	pageBreak()
}

// plain is text with nothing marked.
func plain(s string) []draft.Change {
	if s == "" {
		return nil
	}
	return []draft.Change{{Kind: draft.Equal, Text: s}}
}

// render writes d's document to w.
func render(d *Doc, w writer) {
	switch d.Opts.Kind {
	case Revision:
		renderRevision(d, w)
	case Changes:
		renderChanges(d, w)
	default:
		renderCompilation(d, w)
	}
}

func (d *Doc) when(t time.Time) string { return t.Format("2006-01-02 15:04") }

// progress reports i of n written, now and then.
func (d *Doc) progress(i, n int) {
	if p := d.Opts.Progress; p != nil && i%100 == 0 {
		p(i, n+1)
	}
}

// titleBlock writes the title and its lines, each label with its colon.
func (d *Doc) titleBlock(w writer, title string, lines [][2]string) {
	for i := range lines {
		lines[i][0] += d.colon()
	}
	w.title(title, lines)
}

func renderCompilation(d *Doc, w writer) {
	o := d.Opts
	asOf := d.L("zero draft")
	if n := len(d.Revs); n > 0 {
		r := d.Revs[n-1]
		asOf = d.RevLabel(r) + " (" + d.when(r.Record.CreatedTime()) + ")"
	}
	sel := d.L("all amendments")
	if o.PendingOnly {
		sel = d.L("pending only")
	}
	section := d.L("whole draft")
	if o.Section != "" {
		if lo, _, err := d.section(o.Section); err == nil {
			section = d.Text.Paragraphs[lo].Title
		}
	}
	who := d.L("everyone")
	if o.Proponent != "" {
		who = d.proponentNamed(o.Proponent)
	}
	names := d.L("names shown")
	if o.Anonymous {
		names = d.L("names withheld")
	}
	paras, amends, proposed := d.Count()
	d.titleBlock(w, d.L("compilation")+" — "+d.Draft.Title, [][2]string{
		{d.L("draft"), d.Draft.Title},
		{d.L("text as of"), asOf},
		{d.L("selection"), sel},
		{d.L("section"), section},
		{d.L("proponent"), who},
		{d.L("attribution"), names},
		{d.L("paragraphs"), fmt.Sprint(paras)},
		{d.L("amendments"), fmt.Sprint(amends)},
		{d.L("proposed"), fmt.Sprint(proposed)},
		{d.L("generated"), d.when(o.Now)},
	})
	w.note(d.L("legend"))
	if len(d.Entries) == 0 {
		w.note(d.L("nothing"))
	}
	for i, e := range d.Entries {
		d.progress(i, len(d.Entries))
		switch {
		case e.Proposed != nil:
			w.para(plain(e.Number), draft.Diff("", e.Proposed.Body), draft.Equal)
			w.amendment(d.amendHead(e.Proposed, d.L("new paragraph")), nil, d.amendNotes(e.Proposed))
		case e.Para.Heading():
			w.heading(int(e.Para.Level), plain(e.Para.Title), draft.Equal)
		default:
			w.para(plain(e.Number), plain(e.Para.Body), draft.Equal)
			if st := e.Para.Status; st != "" && st != app.StatusOpen {
				w.note(d.L("status") + d.colon() + d.StatusLabel(st))
			}
		}
		if e.Para == nil {
			continue
		}
		for _, a := range e.Amendments {
			w.amendment(d.amendHead(a, ""), d.marked(e.Para, a), d.amendNotes(a))
		}
	}
	w.pageBreak()
	d.statusSection(w)
}

// colon is what follows a label: French sets a space before it.
func (d *Doc) colon() string {
	if d.Opts.Lang == "fr" {
		return "\u00a0: "
	}
	return ": "
}

// proponentNamed is who as the amendments name them.
func (d *Doc) proponentNamed(who string) string {
	for _, p := range d.proponents() {
		if strings.EqualFold(p, strings.TrimSpace(who)) {
			return p
		}
	}
	return who
}

// amendHead is an amendment's head line: its action, who proposed it
// (unless names are withheld) and its status.
func (d *Doc) amendHead(a *app.Record, what string) string {
	if what == "" {
		what = d.L("action/" + string(a.Action))
	}
	if a.Action == app.ActionMove {
		what = d.L("move to follow") + " " + d.after(a.After)
	}
	if !d.Opts.Anonymous {
		what += " — " + d.L("proposed by") + " " + proponent(a)
	}
	return what + " · " + d.StatusLabel(a.Status)
}

// after names the paragraph a moved paragraph is to follow.
func (d *Doc) after(id app.RecordID) string {
	for _, p := range d.Text.Paragraphs {
		if p.ID == id {
			if p.Heading() {
				return "“" + p.Title + "”"
			}
			return p.Number
		}
	}
	return d.L("the start")
}

// amendNotes are the lines under an amendment: supporters, opposers
// (unless names are withheld) and the rationale.
func (d *Doc) amendNotes(a *app.Record) []string {
	var out []string
	if !d.Opts.Anonymous {
		if len(a.Supporters) > 0 {
			out = append(out, d.L("supported by")+d.colon()+strings.Join(a.Supporters, ", "))
		}
		if len(a.Opposers) > 0 {
			out = append(out, d.L("opposed by")+d.colon()+strings.Join(a.Opposers, ", "))
		}
	}
	if r := strings.TrimSpace(a.Rationale); r != "" {
		out = append(out, d.L("rationale")+d.colon()+r)
	}
	return out
}

// marked is what amendment a does to paragraph p's text, marked against
// the text it amends: the paragraph as it stands or, once a is accepted
// (and the paragraph reads as a says), as the last revision before a
// was proposed froze it.
func (d *Doc) marked(p *app.DraftParagraph, a *app.Record) []draft.Change {
	switch a.Action {
	case app.ActionModify:
		return draft.Diff(d.amendedText(p, a), a.Body)
	case app.ActionDelete:
		return draft.Diff(p.Body, "")
	case app.ActionAdd:
		return draft.Diff("", a.Body)
	}
	return nil
}

func (d *Doc) amendedText(p *app.DraftParagraph, a *app.Record) string {
	if a.Status != app.StatusAccepted && a.Status != app.StatusAcceptedModified {
		return p.Body
	}
	for i := len(d.Revs) - 1; i >= 0; i-- {
		if r := d.Revs[i]; r.Record != nil && r.Record.Created <= a.Created {
			if rp, ok := r.Find(p.ID); ok {
				return rp.Text
			}
			break
		}
	}
	return p.Body
}

// statusSection writes the status table and the memoranda.
func (d *Doc) statusSection(w writer) {
	w.heading(1, plain(d.L("status table")), draft.Equal)
	w.table(d.statusHeader(), d.statusRows())
	w.heading(1, plain(d.L("memorandum")), draft.Equal)
	if len(d.Memo) == 0 {
		w.note(d.L("no memorandum"))
		return
	}
	w.table(d.memoHeader(), d.memoRows())
}

func (d *Doc) statusHeader() []string {
	h := []string{d.L("paragraph"), d.L("section"), d.L("status")}
	for _, s := range app.AmendmentStatuses {
		h = append(h, d.StatusLabel(s))
	}
	return append(h, d.L("total"), d.L("last change"))
}

func (d *Doc) statusRows() [][]string {
	rows := make([][]string, 0, len(d.Rows))
	for _, r := range d.Rows {
		row := []string{r.Number, r.Section, d.StatusLabel(r.Status)}
		for _, n := range r.Counts {
			row = append(row, fmt.Sprint(n))
		}
		rows = append(rows, append(row, fmt.Sprint(r.Total), d.when(r.Last)))
	}
	return rows
}

func (d *Doc) memoHeader() []string {
	return []string{d.L("revision"), d.L("date"), d.L("paragraph"), d.L("was"), d.L("change"), d.L("status"), d.L("decided")}
}

func (d *Doc) memoRows() [][]string {
	rows := make([][]string, 0, len(d.Memo))
	for _, m := range d.Memo {
		var as []string
		for _, a := range m.Amendments {
			s := d.L("action/" + string(a.Action))
			if !d.Opts.Anonymous {
				s += " (" + proponent(a) + ")"
			}
			as = append(as, s)
		}
		st := ""
		if m.Status != "" {
			st = d.StatusLabel(m.Status)
		}
		rows = append(rows, []string{m.Rev, d.when(m.Date), m.Number, m.Was, d.L("change/" + m.Change), st, strings.Join(as, "; ")})
	}
	return rows
}

// revLines is the title block of a revision.
func (d *Doc) revLines(r *app.RevisionText) [][2]string {
	lines := [][2]string{{d.L("draft"), d.Draft.Title}, {d.L("revision"), d.RevLabel(r)}, {d.L("issued"), d.when(r.Record.CreatedTime())}}
	if r.By != "" {
		lines = append(lines, [2]string{d.L("issued by"), r.By})
	}
	return lines
}

func renderRevision(d *Doc, w writer) {
	r := d.Rev
	d.titleBlock(w, d.Draft.Title+" — "+d.RevLabel(r), append(d.revLines(r), [2]string{d.L("generated"), d.when(d.Opts.Now)}))
	for i, p := range r.Paragraphs {
		d.progress(i, len(r.Paragraphs))
		switch {
		case p.Status == app.StatusDeleted:
		case p.Level > 0:
			w.heading(p.Level, plain(p.Text), draft.Equal)
		default:
			w.para(plain(p.Number), plain(p.Text), draft.Equal)
		}
	}
}

// tracked reports whether d's changes are written as Word revisions.
func (d *Doc) tracked() bool { return d.Opts.Kind == Changes && d.Opts.Format == "docx" }

func renderChanges(d *Doc, w writer) {
	lines := append(d.revLines(d.Rev), [2]string{d.L("against"), d.RevLabel(d.Against) + " (" + d.when(d.Against.Record.CreatedTime()) + ")"})
	d.titleBlock(w, d.Draft.Title+" — "+d.RevLabel(d.Rev)+" "+d.L("compared with")+" "+d.RevLabel(d.Against),
		append(lines, [2]string{d.L("generated"), d.when(d.Opts.Now)}))
	if d.tracked() {
		w.note(d.L("tracked legend"))
	} else {
		w.note(d.L("legend"))
	}
	for i, p := range d.Diffs {
		d.progress(i, len(d.Diffs))
		whole := draft.Equal
		switch p.Change {
		case app.ChangeAdded:
			whole = draft.Insert
		case app.ChangeDeleted:
			whole = draft.Delete
		}
		if p.Level > 0 {
			w.heading(p.Level, p.Marked, whole)
		} else {
			w.para(numberChange(p.From, p.To), p.Marked, whole)
		}
		if !d.tracked() && (p.Change == app.ChangeMoved || p.Change == app.ChangeStatus) {
			st := ""
			if rp, ok := d.Rev.Find(p.ID); ok && p.Change == app.ChangeStatus {
				st = d.colon() + d.StatusLabel(rp.Status)
			}
			w.note("(" + d.L("change/"+p.Change) + st + ")")
		}
	}
}

// numberChange is a paragraph's number marked: from, to, or both.
func numberChange(from, to string) []draft.Change {
	switch {
	case from == to:
		return plain(to)
	case from == "":
		return []draft.Change{{Kind: draft.Insert, Text: to}}
	case to == "":
		return []draft.Change{{Kind: draft.Delete, Text: from}}
	}
	return []draft.Change{{Kind: draft.Delete, Text: from}, {Kind: draft.Insert, Text: to}}
}
