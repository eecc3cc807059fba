package draftdoc

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draft"
)

// Doc is what a document shows, gathered once for every format.
type Doc struct {
	Opts  Options
	Draft *app.Record
	Text  *app.DraftText      // the draft as it stands
	Revs  []*app.RevisionText // every revision, Rev.0 first
	// Rev is the revision a revision or a comparison shows; Against the
	// one a comparison is made with.
	Rev, Against *app.RevisionText
	Entries      []Entry             // the compilation, in the draft's order
	Diffs        []app.ParagraphDiff // the comparison
	Rows         []StatusRow         // the status table
	Memo         []MemoRow           // every revision's memorandum
	amendments   map[app.RecordID]*app.Record
}

// Entry is a paragraph or heading of the compilation with the amendments
// it shows under it, or a new paragraph an amendment proposes.
type Entry struct {
	Para       *app.DraftParagraph // nil for a proposed paragraph
	Number     string              // as it would be numbered: "2 bis"
	Proposed   *app.Record         // the amendment proposing this new paragraph
	Amendments []*app.Record
}

// StatusRow is one paragraph of the status table.
type StatusRow struct {
	Number, Section string
	Status          app.Status
	Counts          []int // per app.AmendmentStatuses
	Total           int
	Last            time.Time // its last change, or its amendments'
}

// MemoRow is one line of a revision's memorandum.
type MemoRow struct {
	Rev        string // "Rev.2"
	Date       time.Time
	Number     string
	Was        string
	Change     string
	Status     app.Status
	Amendments []*app.Record // decided since the revision before
}

// Collect gathers what the document opts asks for shows.
func Collect(svc *app.Service, opts Options) (*Doc, error) {
	const op = "document"
	if err := opts.normalize(); err != nil {
		return nil, err
	}
	id, err := whichDraft(svc, opts.Draft)
	if err != nil {
		return nil, err
	}
	t, err := svc.ReadDraft(id)
	if err != nil {
		return nil, err
	}
	revs, err := svc.Revisions(id)
	if err != nil {
		return nil, err
	}
	d := &Doc{Opts: opts, Draft: t.Draft, Text: t, Revs: revs, amendments: map[app.RecordID]*app.Record{}}
	for _, p := range t.Paragraphs {
		for _, a := range p.Amendments {
			d.amendments[a.ID] = a
		}
	}
	switch opts.Kind {
	case Revision:
		d.Rev, err = d.revision(opts.Rev)
	case Changes:
		err = d.comparison()
	default:
		if err = d.compile(); err == nil {
			d.status()
		}
	}
	if err != nil {
		if e, ok := err.(*app.Error); ok && e.Op == "" {
			e.Op = op
		}
		return nil, err
	}
	return d, nil
}

// whichDraft is id, or the workspace's only draft.
func whichDraft(svc *app.Service, id app.RecordID) (app.RecordID, error) {
	if id != "" {
		return id, nil
	}
	ds, err := svc.DraftDocs()
	if err != nil {
		return "", err
	}
	switch len(ds) {
	case 0:
		return "", &app.Error{Op: "document", Kind: app.NotFound, Msg: "no drafts yet: import one first"}
	case 1:
		return ds[0].ID, nil
	}
	return "", &app.Error{Op: "document", Kind: app.Invalid, Field: "draft", Msg: fmt.Sprintf("this workspace holds %d drafts: say which", len(ds))}
}

// revision is Rev.n, or the latest for Latest.
func (d *Doc) revision(n int) (*app.RevisionText, error) {
	if len(d.Revs) == 0 {
		return nil, &app.Error{Kind: app.Invalid, Field: "rev", Msg: "this draft has no revision yet"}
	}
	if n == Latest {
		return d.Revs[len(d.Revs)-1], nil
	}
	for _, r := range d.Revs {
		if r.Number == n {
			return r, nil
		}
	}
	return nil, &app.Error{Kind: app.Invalid, Field: "rev", Msg: fmt.Sprintf("this draft has no Rev.%d; its latest is Rev.%d", n, d.Revs[len(d.Revs)-1].Number)}
}

// comparison compares Against with Rev.
func (d *Doc) comparison() error {
	var err error
	if d.Rev, err = d.revision(d.Opts.Rev); err != nil {
		return err
	}
	against := d.Opts.Against
	if against == Latest {
		if d.Rev.Number == 0 {
			return &app.Error{Kind: app.Invalid, Field: "against", Msg: "the zero draft has no revision before it to compare with"}
		}
		against = d.Rev.Number - 1
	}
	if d.Against, err = d.revision(against); err != nil {
		return err
	}
	d.Diffs = app.Compare(d.Against, d.Rev)
	return nil
}

// compile gathers the compilation: the paragraphs in scope, the
// amendments selected under each, and the new paragraphs proposed where
// they would go.
func (d *Doc) compile() error {
	o := d.Opts
	paras := d.Text.Paragraphs
	lo, hi, err := d.section(o.Section)
	if err != nil {
		return err
	}
	if o.Proponent != "" && !d.anyBy(o.Proponent) {
		return &app.Error{Kind: app.Invalid, Field: "proponent", Msg: fmt.Sprintf("no amendment to this draft is proposed by %q", o.Proponent), Valid: d.proponents()}
	}
	proposed := d.proposedNumbers()
	for i, p := range paras {
		e := Entry{Para: p, Number: p.Number}
		var adds []Entry
		for _, a := range p.Amendments {
			if !d.selected(a) {
				continue
			}
			if a.Action == app.ActionAdd && a.Status == app.StatusPending {
				adds = append(adds, Entry{Number: proposed[a.ID], Proposed: a})
				continue
			}
			e.Amendments = append(e.Amendments, a)
		}
		if i < lo || i >= hi {
			continue
		}
		if o.Proponent != "" && len(e.Amendments) == 0 && !p.Heading() {
			e = Entry{} // not theirs: only the paragraphs they amend
		}
		if e.Para != nil {
			d.Entries = append(d.Entries, e)
		}
		d.Entries = append(d.Entries, adds...)
	}
	if o.Proponent != "" {
		d.Entries = dropEmptyHeadings(d.Entries)
	}
	return nil
}

// selected reports whether amendment a is in the selection.
func (d *Doc) selected(a *app.Record) bool {
	if d.Opts.PendingOnly && a.Status != app.StatusPending {
		return false
	}
	return d.Opts.Proponent == "" || proposedBy(a, d.Opts.Proponent)
}

func proposedBy(a *app.Record, who string) bool {
	who = strings.TrimSpace(who)
	return strings.EqualFold(strings.TrimSpace(a.Org), who) || strings.EqualFold(strings.TrimSpace(a.Author), who)
}

func (d *Doc) anyBy(who string) bool {
	for _, a := range d.amendments {
		if proposedBy(a, who) {
			return true
		}
	}
	return false
}

// proponents lists who proposed amendments, as a person would type them.
func (d *Doc) proponents() []string {
	var out []string
	for _, a := range d.amendments {
		if w := proponent(a); w != "" && !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	slices.Sort(out)
	return out
}

// proponent is who proposes a: the delegation, or the person.
func proponent(a *app.Record) string {
	if o := strings.TrimSpace(a.Org); o != "" {
		return o
	}
	return strings.TrimSpace(a.Author)
}

// section is the range of paragraphs [lo, hi) of the section a heading's
// id or words of its title name: the heading and what follows it up to
// the next heading of its level or above. The whole draft for "".
func (d *Doc) section(s string) (lo, hi int, err error) {
	paras := d.Text.Paragraphs
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, len(paras), nil
	}
	lo = -1
	var headings []string
	for i, p := range paras {
		if !p.Heading() {
			continue
		}
		headings = append(headings, p.Title)
		if lo < 0 && (string(p.ID) == s || strings.Contains(strings.ToLower(p.Title), strings.ToLower(s))) {
			lo = i
		}
	}
	if lo < 0 {
		return 0, 0, &app.Error{Kind: app.Invalid, Field: "section", Msg: fmt.Sprintf("no section heading of this draft matches %q", s), Valid: headings}
	}
	for hi = lo + 1; hi < len(paras); hi++ {
		if p := paras[hi]; p.Heading() && p.Level <= paras[lo].Level {
			break
		}
	}
	return lo, hi, nil
}

// dropEmptyHeadings leaves out the headings with no paragraph under them.
func dropEmptyHeadings(es []Entry) []Entry {
	var out []Entry
	for i, e := range es {
		if e.Para != nil && e.Para.Heading() {
			j := i + 1
			for j < len(es) && es[j].Para != nil && es[j].Para.Heading() && es[j].Para.Level > e.Para.Level {
				j++
			}
			if j == len(es) || (es[j].Para != nil && es[j].Para.Heading()) {
				continue
			}
		}
		out = append(out, e)
	}
	return out
}

// proposedNumbers numbers the new paragraphs pending amendments propose,
// as they would be numbered if accepted now: after the paragraph they
// follow and the paragraphs already added after it (so no paragraph of
// the text changes its number).
func (d *Doc) proposedNumbers() map[app.RecordID]string {
	var paras []draft.Para
	var ids []app.RecordID
	var waiting []*app.Record
	flush := func() {
		for _, a := range waiting {
			paras = append(paras, draft.Para{ID: string(a.ID)})
			ids = append(ids, a.ID)
		}
		waiting = nil
	}
	for _, p := range d.Text.Paragraphs {
		if p.Base != 0 || p.Heading() || p.AltOf != "" {
			flush()
		}
		paras = append(paras, draft.Para{ID: string(p.ID), Base: int(p.Base), Part: partOf(p.Part), AltOf: string(p.AltOf),
			Heading: p.Heading(), Deleted: p.Status == app.StatusDeleted})
		ids = append(ids, p.ID)
		for _, a := range p.Amendments {
			if a.Action == app.ActionAdd && a.Status == app.StatusPending {
				waiting = append(waiting, a)
			}
		}
	}
	flush()
	style := draft.Plain
	if d.Draft.Numbering == app.NumberPPOP {
		style = draft.PPOP
	}
	labels := draft.Number(paras, style)
	out := map[app.RecordID]string{}
	for i, id := range ids {
		out[id] = labels[i].String()
	}
	return out
}

func partOf(p app.Part) draft.Part {
	if p == app.PartPreambular {
		return draft.Preambular
	}
	return draft.Operative
}

// status gathers the status table of the paragraphs in scope and every
// revision's memorandum.
func (d *Doc) status() {
	section := ""
	inScope := map[app.RecordID]bool{}
	for _, e := range d.Entries {
		if e.Para != nil {
			inScope[e.Para.ID] = true
		}
	}
	for _, p := range d.Text.Paragraphs {
		if p.Heading() {
			section = p.Title
			continue
		}
		if !inScope[p.ID] {
			continue
		}
		row := StatusRow{Number: p.Number, Section: section, Status: p.Status, Counts: make([]int, len(app.AmendmentStatuses)), Last: p.UpdatedTime()}
		for _, a := range p.Amendments {
			if i := slices.Index(app.AmendmentStatuses, a.Status); i >= 0 {
				row.Counts[i]++
			}
			row.Total++
			row.Last = latest(row.Last, a.UpdatedTime())
		}
		d.Rows = append(d.Rows, row)
	}
	for _, r := range d.Revs {
		for _, m := range r.Memo {
			row := MemoRow{Rev: r.Label(), Date: r.Record.CreatedTime(), Number: m.Number, Was: m.Was, Change: m.Change, Status: m.Status}
			for _, id := range m.Amendments {
				if a := d.amendments[id]; a != nil {
					row.Amendments = append(row.Amendments, a)
				}
			}
			d.Memo = append(d.Memo, row)
		}
	}
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// Count is how many paragraphs and amendments the compilation shows, and
// how many of those paragraphs are proposed new ones.
func (d *Doc) Count() (paragraphs, amendments, proposed int) {
	for _, e := range d.Entries {
		switch {
		case e.Proposed != nil:
			proposed++
			amendments++
		case !e.Para.Heading():
			paragraphs++
		}
		amendments += len(e.Amendments)
	}
	return paragraphs, amendments, proposed
}
