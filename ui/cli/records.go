package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"

	"github.com/cartagena-c40/consulta/app"
)

func cmdInit(c *ctx, args []string) error {
	fs := newFlags(c, "init")
	title := fs.String("title", "", "title of the consultation process, e.g. \"Cartagena +40\"")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	ws, err := c.svc.Init(*title)
	if err != nil {
		return err
	}
	c.out("%s\n", ws.ID)
	return nil
}

// fieldFlags are the record fields add and edit take.
type fieldFlags struct {
	fs                                           *flag.FlagSet
	title, body, bodyFile, themes, meeting       *string
	subregion, country, stakeholder, populations *string
	tags, author, org, lang, venue, date, status *string
	replyTo                                      *string
	sensitive                                    *bool
}

func newFieldFlags(fs *flag.FlagSet) *fieldFlags {
	return &fieldFlags{
		fs:          fs,
		title:       fs.String("title", "", "title"),
		body:        fs.String("body", "", "text (or --body-file, or pipe it on stdin)"),
		bodyFile:    fs.String("body-file", "", "file holding the text"),
		themes:      fs.String("theme", "", "theme codes, comma-separated (see 'consulta taxonomy')"),
		meeting:     fs.String("meeting", "", "id of the meeting the record belongs to"),
		subregion:   fs.String("subregion", "", "andes, mesoamerica, caribbean, southern-cone or regional"),
		country:     fs.String("country", "", "ISO 3166-1 alpha-2 country code, e.g. CO"),
		stakeholder: fs.String("stakeholder", "", "stakeholder group code"),
		populations: fs.String("population", "", "population group codes, comma-separated"),
		tags:        fs.String("tag", "", "age, gender and diversity codes, comma-separated"),
		author:      fs.String("author", "", "author's name"),
		org:         fs.String("org", "", "author's organization"),
		lang:        fs.String("lang", "", "language of the text: es, en, pt or fr"),
		venue:       fs.String("venue", "", "venue (meetings)"),
		date:        fs.String("date", "", "date YYYY-MM-DD (meetings)"),
		status:      fs.String("status", "", "status"),
		replyTo:     fs.String("reply-to", "", "id of the record a comment replies to"),
		sensitive:   fs.Bool("sensitive", false, "the record can name people at risk: masked in lists, left out of exports unless asked (--sensitive=false to unmark)"),
	}
}

// patch builds the patch of the flags that were given. For edits, set-valued
// flags replace the current set: cur is the record being edited.
func (f *fieldFlags) patch(c *ctx, cur *app.Record) (app.Patch, error) {
	var p app.Patch
	given := visited(f.fs)
	str := func(name string, v *string) *string {
		if given[name] {
			s := strings.TrimSpace(*v)
			return &s
		}
		return nil
	}
	p.Title = str("title", f.title)
	p.Author = str("author", f.author)
	p.Org = str("org", f.org)
	p.Venue = str("venue", f.venue)
	p.Date = str("date", f.date)
	p.Lang = typed[app.Lang](str("lang", f.lang))
	p.Meeting = typed[app.RecordID](str("meeting", f.meeting))
	p.ReplyTo = typed[app.RecordID](str("reply-to", f.replyTo))
	p.SubRegion = typed[app.SubRegion](str("subregion", f.subregion))
	p.Country = typed[app.CountryCode](str("country", f.country))
	p.Stakeholder = typed[app.StakeholderCode](str("stakeholder", f.stakeholder))
	if given["sensitive"] {
		v := *f.sensitive
		p.Sensitive = &v
	}
	if s := str("status", f.status); s != nil {
		st, err := app.ParseStatus(*s)
		if err != nil {
			return p, err
		}
		p.Status = &st
	}
	text, ok, err := (&bodyFlags{body: f.body, file: f.bodyFile, given: given}).text()
	switch {
	case err != nil:
		return p, err
	case ok:
		p.Body = &text
	case cur == nil && c.env.Stdin != nil:
		b, err := readLimited("stdin", c.env.Stdin)
		if err != nil {
			return p, err
		}
		if b != "" {
			p.Body = &b
		}
	}
	if cur == nil {
		cur = &app.Record{}
	}
	if given["theme"] {
		p.AddThemes, p.DelThemes = app.SetChange(cur.Themes, list(*f.themes))
	}
	if given["population"] {
		p.AddPops, p.DelPops = app.SetChange(cur.Populations, list(*f.populations))
	}
	if given["tag"] {
		p.AddTags, p.DelTags = app.SetChange(cur.Tags, list(*f.tags))
	}
	return p, nil
}

// readLimited reads a body from a file (or r), refusing more than MaxBody.
func readLimited(name string, r io.Reader) (string, error) {
	if r == nil {
		f, err := os.Open(name)
		if err != nil {
			return "", &app.Error{Kind: app.Invalid, Field: "body-file", Err: err}
		}
		defer f.Close()
		r = f
	}
	b, err := io.ReadAll(io.LimitReader(r, app.MaxBody+1))
	if err != nil {
		return "", &app.Error{Kind: app.Invalid, Field: "body", Msg: "reading " + name, Err: err}
	}
	if len(b) > app.MaxBody {
		return "", &app.Error{Kind: app.Invalid, Field: "body", Msg: fmt.Sprintf("%s holds more than %d bytes (1 MiB); split the text", name, app.MaxBody)}
	}
	if !utf8.Valid(b) {
		return "", &app.Error{Kind: app.Invalid, Field: "body", Msg: name + " is not UTF-8 text"}
	}
	return string(b), nil
}

func typed[T ~string](s *string) *T {
	if s == nil {
		return nil
	}
	v := T(*s)
	return &v
}

// diff returns what to add to and remove from old to make it want.

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}

// defaultLang is the language of the user's locale when it is one of the
// consultation's, else Spanish.
func defaultLang() app.Lang {
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if s := os.Getenv(v); len(s) >= 2 {
			if l, err := app.ParseLang(strings.ToLower(s[:2])); err == nil {
				return l
			}
		}
	}
	return "es"
}

func cmdAdd(c *ctx, args []string) error {
	fs := newFlags(c, "add")
	ff := newFieldFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("add needs a kind: add meeting|note|proposal|input|comment --title T ...")
	}
	kind, err := app.ParseKind(pos[0])
	if err != nil {
		return err
	}
	p, err := ff.patch(c, nil)
	if err != nil {
		return err
	}
	if p.Title == nil {
		return &app.Error{Op: "add", Kind: app.Invalid, Field: "title", Msg: "is required: --title T"}
	}
	if p.Lang == nil {
		l := defaultLang()
		p.Lang = &l
	}
	id, err := c.svc.Create(kind, p)
	if err != nil {
		return err
	}
	c.out("%s\n", id)
	return nil
}

func cmdEdit(c *ctx, args []string) error {
	fs := newFlags(c, "edit")
	ff := newFieldFlags(fs)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("edit needs one record id: edit ID --title T ...")
	}
	cur, err := c.svc.Get(app.RecordID(pos[0]))
	if err != nil {
		return err
	}
	p, err := ff.patch(c, cur)
	if err != nil {
		return err
	}
	return c.svc.Update(cur.ID, p)
}

func cmdWithdraw(c *ctx, args []string) error {
	pos, err := parse(newFlags(c, "withdraw"), args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("withdraw needs one record id")
	}
	if _, err := c.svc.Get(app.RecordID(pos[0])); err != nil {
		return err
	}
	return c.svc.Withdraw(app.RecordID(pos[0]))
}

// filterFlags are the filters list and stats take.
type filterFlags struct {
	kind, meeting, subregion, country, theme, status *string
	stakeholder, population, tag, author, text       *string
	attention                                        *string
}

func newFilterFlags(fs *flag.FlagSet) *filterFlags {
	return &filterFlags{
		kind:        fs.String("kind", "", "kinds, comma-separated"),
		meeting:     fs.String("meeting", "", "meeting ids"),
		subregion:   fs.String("subregion", "", "sub-regions"),
		country:     fs.String("country", "", "country codes"),
		theme:       fs.String("theme", "", "themes (each includes its sub-themes)"),
		status:      fs.String("status", "", "statuses"),
		stakeholder: fs.String("stakeholder", "", "stakeholder groups"),
		population:  fs.String("population", "", "population groups"),
		tag:         fs.String("tag", "", "age, gender and diversity groups"),
		author:      fs.String("author", "", "author names"),
		text:        fs.String("text", "", "words the title or text must contain (case and accents ignored)"),
		attention:   fs.String("attention", "", "records needing attention: conflict, edited-while-withdrawn, merged-twice"),
	}
}

func (f *filterFlags) filter() app.Filter {
	return app.Filter{Kinds: list(*f.kind), Meetings: list(*f.meeting), SubRegions: list(*f.subregion),
		Countries: list(*f.country), Themes: list(*f.theme), Statuses: list(*f.status),
		Stakeholders: list(*f.stakeholder), Populations: list(*f.population), Tags: list(*f.tag),
		Authors: list(*f.author), Attention: list(*f.attention), Text: *f.text}
}

func cmdList(c *ctx, args []string) error {
	fs := newFlags(c, "list")
	ff := newFilterFlags(fs)
	limit := fs.Int("limit", 50, "at most this many records; 0 for all")
	asJSON := fs.Bool("json", false, "print a JSON array")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("list takes no arguments, only flags; did you mean --text %q?", strings.Join(pos, " "))
	}
	if *limit < 0 {
		return usagef("--limit must be 0 or more")
	}
	res, err := c.svc.List(ff.filter(), *limit)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]recordJSON, len(res.Records))
		for i, r := range res.Records {
			if out[i], err = c.fullJSON(r.ID); err != nil {
				return err
			}
		}
		return writeJSON(c.env.Stdout, out)
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tKIND\tSTATUS\tSUB-REGION\tCOUNTRY\tTHEMES\tAUTHOR\tUPDATED\tTITLE")
	for _, r := range res.Records {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.Kind, r.Status, r.SubRegion, r.Country,
			strings.Join(strs(r.Themes), ","), clip(r.Author, 20), r.UpdatedTime().Local().Format("2006-01-02 15:04"), clip(r.Title, 60))
	}
	tw.Flush()
	fmt.Fprintf(c.env.Stderr, "%d of %d records\n", len(res.Records), res.Total)
	return nil
}

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func cmdShow(c *ctx, args []string) error {
	fs := newFlags(c, "show")
	asJSON := fs.Bool("json", false, "print a JSON object")
	history := fs.Bool("history", false, "include every change: who, when, on which device")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("show needs one record id")
	}
	r, err := c.svc.Get(app.RecordID(pos[0]))
	if err != nil {
		return err
	}
	var steps []app.Step
	if *history {
		if steps, err = c.svc.Steps(r.ID); err != nil {
			return err
		}
	}
	comments, err := c.svc.CommentCount(r.ID)
	if err != nil {
		return err
	}
	if *asJSON {
		j := toJSON(r, comments)
		if *history {
			j.History = historyJSON(steps)
		}
		return writeJSON(c.env.Stdout, j)
	}
	tax := c.svc.Taxonomy()
	lang := defaultLang()
	labels := func(list string, codes []string) string {
		var out []string
		for _, code := range codes {
			if code != "" {
				out = append(out, fmt.Sprintf("%s (%s)", tax.Label(list, code, lang), code))
			}
		}
		return strings.Join(out, "; ")
	}
	tw := tabwriter.NewWriter(c.env.Stdout, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s:\t%s\n", k, v)
		}
	}
	row("id", string(r.ID))
	row("kind", string(r.Kind))
	row("title", r.Title)
	row("status", string(r.Status))
	row("language", string(r.Lang))
	if r.Meeting != "" {
		m := string(r.Meeting)
		if mr, err := c.svc.Get(r.Meeting); err == nil {
			m = fmt.Sprintf("%s (%s)", mr.Title, r.Meeting)
		}
		row("meeting", m)
	}
	row("sub-region", labels("subregions", []string{string(r.SubRegion)}))
	row("country", labels("countries", []string{string(r.Country)}))
	row("themes", labels("themes", strs(r.Themes)))
	row("stakeholder", labels("stakeholders", []string{string(r.Stakeholder)}))
	row("populations", labels("populations", strs(r.Populations)))
	row("tags", labels("tags", strs(r.Tags)))
	row("author", r.Author)
	row("organization", r.Org)
	row("venue", r.Venue)
	row("date", r.Date)
	row("device", string(r.Device))
	row("created", shownTime(r.Created))
	row("updated", shownTime(r.Updated))
	row("sources", strings.Join(strs(r.Sources), ", "))
	row("merged into", strings.Join(strs(r.MergedInto), ", "))
	row("contributors", strings.Join(r.Contributors, "; "))
	row("replies to", string(r.ReplyTo))
	if len(r.Supporters) > 0 {
		row("supporters", fmt.Sprintf("%d: %s", len(r.Supporters), strings.Join(r.Supporters, "; ")))
	}
	if comments > 0 {
		row("comments", fmt.Sprint(comments))
	}
	row("attention", strings.Join(r.Attention, ", "))
	tw.Flush()
	if r.Body != "" {
		c.out("\n%s\n", r.Body)
	}
	if len(r.Conflict) > 0 {
		c.out("\nCONFLICT: %d competing versions of the text (settle it with: consulta resolve %s --take N, or --body):\n", len(r.Conflict), r.ID)
		for i, v := range r.Conflict {
			c.out("\n--- version %d (keeps the edit %s) ---\n%s\n", i+1, v.From, v.Body)
		}
	}
	if *history {
		c.out("\nHistory:\n")
		for _, h := range historyJSON(steps) {
			c.out("  %s  %-8s by device %s (op %d)  %s\n", h.Time.Local().Format(time.DateTime), h.Type, h.Device, h.Seq, strings.Join(h.Summary, "; "))
			for _, d := range h.Diff {
				c.out("      %s %s\n", d[:1], d[1:])
			}
			if h.Conflict > 0 {
				c.out("      → conflict: %d competing versions\n", h.Conflict)
			}
			if why := h.NotApplied; why != "" {
				if !strings.HasPrefix(why, "not applied") {
					why = "not applied: " + why
				}
				c.out("      → kept, %s\n", why)
			}
		}
	}
	return nil
}

func cmdStats(c *ctx, args []string) error {
	fs := newFlags(c, "stats")
	ff := newFilterFlags(fs)
	asJSON := fs.Bool("json", false, "print a JSON object")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	res, err := c.svc.List(ff.filter(), 1)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.env.Stdout, struct {
			Total int `json:"total"`
			*app.Facets
		}{res.Total, res.Facets})
	}
	tax := c.svc.Taxonomy()
	lang := defaultLang()
	c.out("%d records\n", res.Total)
	section := func(title, list string, codes []string, counts map[string]int) {
		c.out("\n%s\n", title)
		tw := tabwriter.NewWriter(c.env.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
		for _, code := range codes {
			if n := counts[code]; n > 0 {
				label := code
				if list != "" {
					label = tax.Label(list, code, lang)
					if tax.Parent(app.ThemeCode(code)) != "" {
						label = "  " + label
					}
				}
				fmt.Fprintf(tw, "%d\t  %s\n", n, label)
			}
		}
		tw.Flush()
	}
	section("By kind", "", strs(app.Kinds), res.Facets.Kind)
	section("By status", "", strs(app.Statuses), res.Facets.Status)
	section("By sub-region", "subregions", tax.Codes("subregions"), res.Facets.SubRegion)
	section("By theme", "themes", tax.Codes("themes"), res.Facets.Theme)
	section("By country", "countries", tax.Codes("countries"), res.Facets.Country)
	section("By stakeholder group", "stakeholders", tax.Codes("stakeholders"), res.Facets.Stakeholder)
	return nil
}

func cmdTaxonomy(c *ctx, args []string) error {
	fs := newFlags(c, "taxonomy")
	asJSON := fs.Bool("json", false, "print the whole taxonomy as JSON")
	langFlag := fs.String("lang", string(defaultLang()), "language of the labels")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	tax, err := app.LoadTaxonomy()
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(c.env.Stdout, tax)
	}
	lang, err := app.ParseLang(*langFlag)
	if err != nil {
		return err
	}
	c.out("Themes (--theme):\n")
	for _, t := range tax.Themes {
		c.out("  %-32s %s\n", t.Code, t.Labels.In(lang))
		for _, ch := range t.Children {
			c.out("    %-30s %s\n", ch.Code, ch.Labels.In(lang))
		}
	}
	c.out("\nSub-regions (--subregion) and their countries (--country):\n")
	for _, sr := range tax.SubRegions {
		c.out("  %-32s %s: %s\n", sr.Code, sr.Labels.In(lang), strings.Join(sr.Countries, " "))
	}
	for _, l := range []struct {
		title string
		terms []app.Term
	}{
		{"Stakeholder groups (--stakeholder)", tax.Stakeholders},
		{"Population groups (--population)", tax.Populations},
		{"Age, gender and diversity (--tag)", tax.Tags},
	} {
		c.out("\n%s:\n", l.title)
		for _, t := range l.terms {
			c.out("  %-32s %s\n", t.Code, t.Labels.In(lang))
		}
	}
	return nil
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// shownTime is a record's time as the CLI prints it: never later than now,
// marked when it had to be held back because a laptop whose clock was ahead
// wrote it (app.ShownTime).
func shownTime(h app.HLC) string {
	t, ahead := app.ShownTime(h, time.Now())
	s := t.Local().Format(time.DateTime)
	if ahead {
		s += " (at the latest: written on a laptop whose clock was ahead)"
	}
	return s
}
