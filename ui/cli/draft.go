package cli

// consulta draft: the plan's own text (docs/DRAFTING.md). Subcommands
// import a zero draft, show it (now or as a revision), propose, support,
// oppose and decide amendments, set paragraph statuses, issue revisions
// and compare them.

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/app/draft"
	"github.com/cartagena-c40/consulta/app/draftimport"
)

var draftCommands = []command{
	{"import", "import a zero draft: draft import FILE (.docx, .md, .txt) [--title T] [--kind declaration|plan-of-action|other] [--numbering plain|pp-op] [--lang L] [--dry-run] [--name N]", false, cmdDraftImport},
	{"list", "list the drafts: draft list [--json]", false, cmdDraftList},
	{"show", "show a draft: draft show [DRAFT] [--rev N] [--amendments] [--json]", false, cmdDraftShow},
	{"amend", "propose an amendment: draft amend PARA --action modify|delete|move|add [--text T | --text-file F] [--after PARA] [--name N] [--org O] [--stakeholder S] [--rationale R] [--source ID,...] [--draft DRAFT]", false, cmdDraftAmend},
	{"support", "support an amendment: draft support AMENDMENT [--name N] [--undo]", false, cmdDraftSupport},
	{"oppose", "oppose an amendment: draft oppose AMENDMENT [--name N] [--undo]", false, cmdDraftOppose},
	{"status", "set a paragraph's status: draft status PARA open|bracketed|agreed-ad-ref|agreed|deleted [--draft DRAFT]", false, cmdDraftStatus},
	{"decide", "decide an amendment: draft decide AMENDMENT accepted|accepted-as-modified|merged|not-retained|withdrawn|pending [--text T] [--into AMENDMENT]", false, cmdDraftDecide},
	{"amendments", "list amendments: draft amendments [DRAFT] [--paragraph PARA] [--status S] [--proponent P] [--json]", false, cmdDraftAmendments},
	{"revise", "issue the next revision: draft revise [DRAFT] [--name N] [--json]", false, cmdDraftRevise},
	{"history", "a paragraph in every revision, with the changes and the amendments behind them: draft history PARA [--draft DRAFT] [--json]", false, cmdDraftHistory},
	{"take", "mark proposals or inputs as taken into a paragraph or amendment: draft take PARA|AMENDMENT --source ID,... [--draft DRAFT]", false, cmdDraftTake},
	{"where", "where a proposal or input went: draft where ID [DRAFT]", false, cmdDraftWhere},
	{"unreflected", "proposals and inputs no paragraph or amendment takes in yet: draft unreflected [DRAFT] [--json]", false, cmdDraftUnreflected},
	{"compare", "compare two revisions: draft compare [DRAFT] M N [--json]", false, cmdDraftCompare},
}

func init() {
	commands = append(commands, command{"draft", "the plan's text: draft import|list|show|amend|support|oppose|status|decide|amendments|revise|compare|export (draft help)", false, cmdDraft})
}

func cmdDraft(c *ctx, args []string) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" {
		for _, d := range draftCommands {
			c.out("  draft %-10s %s\n", d.name, d.summary)
		}
		if len(args) == 0 {
			return usagef("draft needs a subcommand")
		}
		return nil
	}
	for _, d := range draftCommands {
		if d.name == args[0] {
			return d.run(c, args[1:])
		}
	}
	return usagef("unknown draft subcommand %q (draft help lists them)", args[0])
}

func cmdDraftImport(c *ctx, args []string) error {
	fs := newFlags(c, "draft import")
	title := fs.String("title", "", "the draft's title (default: the file's title, else its name)")
	kind := fs.String("kind", string(app.DocPlan), "declaration, plan-of-action or other")
	numbering := fs.String("numbering", "", "plain (1, 2 bis) or pp-op (PP1, OP2 bis); default pp-op when the file's paragraphs are numbered PP/OP")
	lng := fs.String("lang", "es", "the draft's language: es, en, pt, fr")
	dry := fs.Bool("dry-run", false, "say what the file holds and write nothing")
	name := fs.String("name", "", "who imports it (default: the author setting, else this laptop's name)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("draft import needs one file")
	}
	o, err := draftimport.ReadFile(pos[0])
	if err != nil {
		return &app.Error{Kind: app.Invalid, Msg: err.Error()} // it names the file and what is wrong
	}
	c.out("%s\n", draftimport.Preview(o))
	if *dry {
		return nil
	}
	d := app.NewDraft{Title: firstOf(*title, o.Title, strings.TrimSuffix(filepath.Base(pos[0]), filepath.Ext(pos[0]))),
		DocKind: app.DocKind(*kind), Numbering: app.Numbering(*numbering), Lang: app.Lang(*lng)}
	for _, b := range o.Blocks {
		d.Blocks = append(d.Blocks, app.DraftBlock{Level: b.Level, Text: b.Text, Part: app.Part(b.Part)})
		if n := strings.ToUpper(b.Number); *numbering == "" && (strings.HasPrefix(n, "PP") || strings.HasPrefix(n, "OP")) {
			d.Numbering = app.NumberPPOP // the author numbered PP1, OP1
		}
	}
	id, err := c.svc.ImportDraft(d, c.person(*name))
	if err != nil {
		return err
	}
	c.out("imported draft %s: %q, %d blocks, frozen as the zero draft (Rev.0)\n", id, d.Title, len(d.Blocks))
	return nil
}

func firstOf(s ...string) string {
	for _, x := range s {
		if strings.TrimSpace(x) != "" {
			return strings.TrimSpace(x)
		}
	}
	return ""
}

// person is name, else the author setting, else this laptop's name.
func (c *ctx) person(name string) string {
	if n := strings.TrimSpace(name); n != "" {
		return n
	}
	return c.svc.Person()
}

func cmdDraftList(c *ctx, args []string) error {
	fs := newFlags(c, "draft list")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	ds, err := c.svc.DraftDocs()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.env.Stdout, ds)
	}
	if len(ds) == 0 {
		c.out("no drafts yet; import one with: consulta draft import FILE\n")
	}
	for _, d := range ds {
		c.out("%s  %-15s %s\n", d.ID, d.DocKind, d.Title)
	}
	return nil
}

// draftID is the draft named in pos (then dropped from it), else the only
// draft of the workspace.
func (c *ctx) draftID(pos []string) (app.RecordID, []string, error) {
	if len(pos) > 0 && app.ValidID(pos[0]) {
		return app.RecordID(pos[0]), pos[1:], nil
	}
	ds, err := c.svc.DraftDocs()
	if err != nil {
		return "", pos, err
	}
	switch len(ds) {
	case 0:
		return "", pos, &app.Error{Op: "draft", Kind: app.NotFound, Msg: "no drafts yet; import one with: consulta draft import FILE"}
	case 1:
		return ds[0].ID, pos, nil
	}
	return "", pos, usagef("this workspace holds %d drafts: name one (consulta draft list)", len(ds))
}

// paragraph resolves a paragraph given by id or by its number ("3 bis",
// "OP2", "3bis") in the draft named by draftArg, or the only draft.
func (c *ctx) paragraph(arg, draftArg string) (app.RecordID, error) {
	if app.ValidID(arg) {
		return app.RecordID(arg), nil
	}
	want, err := draft.ParseLabel(arg)
	if err != nil {
		return "", usagef("%q is neither a record id nor a paragraph number: %v", arg, err)
	}
	var pos []string
	if draftArg != "" {
		pos = []string{draftArg}
	}
	id, _, err := c.draftID(pos)
	if err != nil {
		return "", err
	}
	t, err := c.svc.ReadDraft(id)
	if err != nil {
		return "", err
	}
	for _, p := range t.Paragraphs {
		if got, err := draft.ParseLabel(p.Number); err == nil && p.Number != "" && got == want {
			return p.ID, nil
		}
	}
	return "", &app.Error{Op: "draft", Kind: app.NotFound, Msg: fmt.Sprintf("the draft has no paragraph %s", arg)}
}

func cmdDraftShow(c *ctx, args []string) error {
	fs := newFlags(c, "draft show")
	rev := fs.Int("rev", -1, "show revision N as it was issued (0: the zero draft)")
	withAm := fs.Bool("amendments", false, "list each paragraph's amendments under it")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, _, err := c.draftID(pos)
	if err != nil {
		return err
	}
	if *rev >= 0 {
		r, err := c.svc.Revision(id, *rev)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(c.env.Stdout, revisionJSON(r))
		}
		printRevision(c, r)
		return nil
	}
	t, err := c.svc.ReadDraft(id)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.env.Stdout, draftJSON(t))
	}
	printDraft(c, t, *withAm)
	return nil
}

func printDraft(c *ctx, t *app.DraftText, withAm bool) {
	c.out("%s (%s, %s)\n\n", t.Draft.Title, t.Draft.DocKind, t.Draft.ID)
	for _, p := range t.Paragraphs {
		if p.Heading() {
			c.out("%s %s\n\n", strings.Repeat("#", int(p.Level)), p.Title)
			continue
		}
		c.out("%-8s %s\n", p.Number, p.Body)
		c.out("         [%s · %s · %d amendments]\n\n", p.Status, p.ID, len(p.Amendments))
		if withAm {
			for _, a := range p.Amendments {
				printAmendment(c, a, "         ")
			}
		}
	}
}

func printAmendment(c *ctx, a *app.Record, indent string) {
	who := firstOf(a.Org, a.Author)
	c.out("%s%s %s by %s [%s]\n", indent, a.ID, a.Action, who, a.Status)
	if a.Body != "" {
		c.out("%s  %q\n", indent, a.Body)
	}
	if len(a.Supporters) > 0 {
		c.out("%s  supported by %s\n", indent, strings.Join(a.Supporters, ", "))
	}
	if len(a.Opposers) > 0 {
		c.out("%s  opposed by %s\n", indent, strings.Join(a.Opposers, ", "))
	}
	if a.Rationale != "" {
		c.out("%s  rationale: %s\n", indent, a.Rationale)
	}
}

func printRevision(c *ctx, r *app.RevisionText) {
	c.out("%s, issued by %s on %s\n\n", r.Label(), r.By, shownTime(r.Record.Created))
	for _, p := range r.Paragraphs {
		if p.Level > 0 {
			c.out("%s %s\n\n", strings.Repeat("#", p.Level), p.Text)
			continue
		}
		c.out("%-8s %s\n         [%s]\n\n", p.Number, p.Text, p.Status)
	}
	if len(r.Memo) > 0 {
		c.out("Memorandum:\n")
		for _, e := range r.Memo {
			c.out("  %s\n", memoLine(e))
		}
	}
}

func memoLine(e app.MemoEntry) string {
	s := fmt.Sprintf("%s: %s", e.Number, e.Change)
	if e.Was != "" {
		s += fmt.Sprintf(" (was %s)", e.Was)
	}
	if e.Change == app.ChangeStatus {
		s += " to " + string(e.Status)
	}
	if len(e.Amendments) > 0 {
		var ids []string
		for _, a := range e.Amendments {
			ids = append(ids, string(a))
		}
		s += "; amendments " + strings.Join(ids, ", ")
	}
	return s
}

func cmdDraftAmend(c *ctx, args []string) error {
	fs := newFlags(c, "draft amend")
	action := fs.String("action", "modify", "modify, delete, move or add (a new paragraph after this one)")
	b := &bodyFlags{body: fs.String("text", "", "the proposed text"), file: fs.String("text-file", "", "file holding the proposed text")}
	after := fs.String("after", "", "move: the paragraph to move it after (id or number)")
	name := fs.String("name", "", "who proposes it (default: the author setting, else this laptop's name)")
	org := fs.String("org", "", "the organization or delegation proposing it")
	stakeholder := fs.String("stakeholder", "", "its stakeholder group (taxonomy code)")
	rationale := fs.String("rationale", "", "why")
	sources := fs.String("source", "", "proposals or inputs it comes from, comma-separated ids")
	draftArg := fs.String("draft", "", "the draft, when paragraphs are given by number and there are several drafts")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("draft amend needs one paragraph (id or number)")
	}
	given := visited(fs) // bodyFlags reads --body and --body-file: name them so
	b.given = map[string]bool{"body": given["text"], "body-file": given["text-file"]}
	text, _, err := b.text()
	if err != nil {
		return err
	}
	para, err := c.paragraph(pos[0], *draftArg)
	if err != nil {
		return err
	}
	a := app.Amendment{Action: app.Action(*action), Text: text, Author: c.person(*name), Org: *org,
		Stakeholder: app.StakeholderCode(*stakeholder), Rationale: *rationale, Sources: conv[app.RecordID](list(*sources))}
	if *after != "" {
		if a.After, err = c.paragraph(*after, *draftArg); err != nil {
			return err
		}
	}
	id, err := c.svc.Amend(para, a)
	if err != nil {
		return err
	}
	c.out("%s\n", id)
	return nil
}

func conv[T ~string](xs []string) []T {
	out := make([]T, len(xs))
	for i, x := range xs {
		out[i] = T(x)
	}
	return out
}

func cmdDraftSupport(c *ctx, args []string) error { return stance(c, "support", args) }
func cmdDraftOppose(c *ctx, args []string) error  { return stance(c, "oppose", args) }

func stance(c *ctx, what string, args []string) error {
	fs := newFlags(c, "draft "+what)
	name := fs.String("name", "", "who (default: the author setting, else this laptop's name)")
	undo := fs.Bool("undo", false, "take it back")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("draft %s needs one amendment id", what)
	}
	id, who := app.RecordID(pos[0]), c.person(*name)
	switch {
	case what == "support" && *undo:
		return c.svc.UnsupportAmendment(id, who)
	case what == "support":
		return c.svc.SupportAmendment(id, who)
	case *undo:
		return c.svc.Unoppose(id, who)
	}
	return c.svc.Oppose(id, who)
}

func cmdDraftStatus(c *ctx, args []string) error {
	fs := newFlags(c, "draft status")
	draftArg := fs.String("draft", "", "the draft, when the paragraph is given by number and there are several drafts")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("draft status needs a paragraph and a status: draft status 3bis agreed")
	}
	st, err := app.ParseStatus(pos[1])
	if err != nil {
		return err
	}
	para, err := c.paragraph(pos[0], *draftArg)
	if err != nil {
		return err
	}
	return c.svc.SetStatus(para, st)
}

func cmdDraftDecide(c *ctx, args []string) error {
	fs := newFlags(c, "draft decide")
	text := fs.String("text", "", "the text as accepted, when it differs from the proposal")
	into := fs.String("into", "", "merged: the amendment it was merged with")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("draft decide needs an amendment and a decision: draft decide ID accepted")
	}
	return c.svc.Decide(app.RecordID(pos[0]), app.Decision{Status: app.Status(pos[1]), Text: *text, Into: app.RecordID(*into)})
}

func cmdDraftAmendments(c *ctx, args []string) error {
	fs := newFlags(c, "draft amendments")
	para := fs.String("paragraph", "", "only those to this paragraph (id or number)")
	status := fs.String("status", "", "only those with this status")
	proponent := fs.String("proponent", "", "only those whose proponent (name or organization) contains this")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, _, err := c.draftID(pos)
	if err != nil {
		return err
	}
	t, err := c.svc.ReadDraft(id)
	if err != nil {
		return err
	}
	var only app.RecordID
	if *para != "" {
		if only, err = c.paragraph(*para, string(id)); err != nil {
			return err
		}
	}
	var out []amendmentJSON
	for _, p := range t.Paragraphs {
		if only != "" && p.ID != only {
			continue
		}
		for _, a := range p.Amendments {
			who := strings.ToLower(a.Author + " " + a.Org)
			if (*status != "" && string(a.Status) != *status) || !strings.Contains(who, strings.ToLower(*proponent)) {
				continue
			}
			out = append(out, toAmendmentJSON(p, a))
			if !*asJSON {
				c.out("%-8s ", p.Number)
				printAmendment(c, a, "")
			}
		}
	}
	if *asJSON {
		return writeJSON(c.env.Stdout, out)
	}
	return nil
}

func cmdDraftRevise(c *ctx, args []string) error {
	fs := newFlags(c, "draft revise")
	name := fs.String("name", "", "who issues it (default: the author setting, else this laptop's name)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, _, err := c.draftID(pos)
	if err != nil {
		return err
	}
	r, err := c.svc.Revise(id, c.person(*name))
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.env.Stdout, revisionJSON(r))
	}
	c.out("issued %s: %d paragraphs, %d changes in its memorandum\n", r.Label(), len(r.Paragraphs), len(r.Memo))
	for _, e := range r.Memo {
		c.out("  %s\n", memoLine(e))
	}
	return nil
}

func cmdDraftCompare(c *ctx, args []string) error {
	fs := newFlags(c, "draft compare")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, pos, err := c.draftID(pos)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return usagef("draft compare needs two revision numbers: draft compare 0 1")
	}
	m, err1 := strconv.Atoi(pos[0])
	n, err2 := strconv.Atoi(pos[1])
	if err1 != nil || err2 != nil {
		return usagef("revision numbers are whole numbers: draft compare 0 1")
	}
	diffs, err := c.svc.CompareRevisions(id, m, n)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.env.Stdout, compareJSON(diffs))
	}
	for _, d := range diffs {
		if d.Change == "" {
			continue
		}
		c.out("%s → %s (%s): %s\n", firstOf(d.From, "—"), firstOf(d.To, "—"), d.Change, marked(d.Marked))
	}
	return nil
}

// marked writes changes as the CLI shows them: [-deleted-] {+inserted+}.
func marked(cs []draft.Change) string {
	var b strings.Builder
	for _, ch := range cs {
		switch ch.Kind {
		case draft.Insert:
			b.WriteString("{+" + ch.Text + "+}")
		case draft.Delete:
			b.WriteString("[-" + ch.Text + "-]")
		default:
			b.WriteString(ch.Text)
		}
	}
	return b.String()
}

func cmdDraftTake(c *ctx, args []string) error {
	fs := newFlags(c, "draft take")
	sources := fs.String("source", "", "the proposals or inputs taken in, comma-separated ids")
	draftArg := fs.String("draft", "", "the draft, when the paragraph is given by number and there are several drafts")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *sources == "" {
		return usagef("draft take needs a paragraph or amendment and --source ID,...")
	}
	target, err := c.paragraph(pos[0], *draftArg)
	if err != nil {
		return err
	}
	return c.svc.TakeInto(target, conv[app.RecordID](list(*sources))...)
}

func cmdDraftUnreflected(c *ctx, args []string) error {
	fs := newFlags(c, "draft unreflected")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	id, _, err := c.draftID(pos)
	if err != nil {
		return err
	}
	recs, err := c.svc.Unreflected(id)
	if err != nil {
		return err
	}
	if *asJSON {
		out := []recordJSON{}
		for _, r := range recs {
			out = append(out, toJSON(r, 0))
		}
		return writeJSON(c.env.Stdout, out)
	}
	for _, r := range recs {
		c.out("%s  %-8s %s (%s)\n", r.ID, r.Kind, clip(r.Title, 70), firstOf(r.Org, r.Author))
	}
	c.out("%d proposals and inputs not yet reflected in the draft\n", len(recs))
	return nil
}

func cmdDraftHistory(c *ctx, args []string) error {
	fs := newFlags(c, "draft history")
	draftArg := fs.String("draft", "", "the draft, when the paragraph is given by number and there are several drafts")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("draft history needs one paragraph (id or number)")
	}
	para, err := c.paragraph(pos[0], *draftArg)
	if err != nil {
		return err
	}
	p, err := c.svc.Get(para)
	if err != nil {
		return err
	}
	stages, err := c.svc.ParagraphHistory(p.ReplyTo, para)
	if err != nil {
		return err
	}
	if *asJSON {
		if stages == nil {
			stages = []app.ParagraphStage{}
		}
		return writeJSON(c.env.Stdout, stages)
	}
	for _, st := range stages {
		switch {
		case st.Para.ID == "":
			c.out("%s: not in the text\n", st.Revision)
		default:
			c.out("%s: %s [%s] %s\n", st.Revision, st.Para.Number, st.Para.Status, st.Para.Text)
		}
		if st.Memo != nil {
			c.out("    %s\n", memoLine(*st.Memo))
		}
	}
	c.out("now: %s\n", p.Body)
	return nil
}

func cmdDraftWhere(c *ctx, args []string) error {
	fs := newFlags(c, "draft where")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) < 1 || !app.ValidID(pos[0]) {
		return usagef("draft where needs the id of a proposal or input")
	}
	src := app.RecordID(pos[0])
	id, _, err := c.draftID(pos[1:])
	if err != nil {
		return err
	}
	t, err := c.svc.ReadDraft(id)
	if err != nil {
		return err
	}
	into := app.Reflected(t)[src]
	for _, p := range into {
		if len(p.Amendments) == 0 {
			c.out("paragraph %s of %q\n", p.Number, t.Draft.Title)
			continue
		}
		a := p.Amendments[0]
		c.out("amendment %s to paragraph %s (%s by %s, %s)\n", a.ID, p.Number, a.Action, firstOf(a.Org, a.Author), a.Status)
	}
	if len(into) == 0 {
		c.out("not taken into %q yet\n", t.Draft.Title)
	}
	return nil
}
