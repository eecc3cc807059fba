package cli

import "github.com/cartagena-c40/consulta/app"

// The JSON `consulta draft … --json` prints (docs/CLI.md).

type draftDocJSON struct {
	ID         app.RecordID    `json:"id"`
	Title      string          `json:"title"`
	Kind       app.DocKind     `json:"kind"`
	Numbering  app.Numbering   `json:"numbering"`
	Lang       app.Lang        `json:"lang"`
	Paragraphs []paragraphJSON `json:"paragraphs"`
}

type paragraphJSON struct {
	ID         app.RecordID    `json:"id"`
	Number     string          `json:"number,omitempty"`
	Heading    int             `json:"heading,omitempty"` // a heading's level
	Text       string          `json:"text"`
	Status     app.Status      `json:"status,omitempty"`
	Part       app.Part        `json:"part,omitempty"`
	Sources    []app.RecordID  `json:"sources,omitempty"`
	Amendments []amendmentJSON `json:"amendments,omitempty"`
}

type amendmentJSON struct {
	ID          app.RecordID        `json:"id"`
	Paragraph   app.RecordID        `json:"paragraph"`
	Number      string              `json:"paragraph_number,omitempty"`
	Action      app.Action          `json:"action"`
	Text        string              `json:"text,omitempty"`
	After       app.RecordID        `json:"after,omitempty"`
	Author      string              `json:"author,omitempty"`
	Org         string              `json:"organization,omitempty"`
	Stakeholder app.StakeholderCode `json:"stakeholder,omitempty"`
	Rationale   string              `json:"rationale,omitempty"`
	Status      app.Status          `json:"status"`
	Supporters  []string            `json:"supporters,omitempty"`
	Opposers    []string            `json:"opposers,omitempty"`
	Sources     []app.RecordID      `json:"sources,omitempty"`
}

func draftJSON(t *app.DraftText) draftDocJSON {
	d := draftDocJSON{ID: t.Draft.ID, Title: t.Draft.Title, Kind: t.Draft.DocKind, Numbering: t.Draft.Numbering, Lang: t.Draft.Lang,
		Paragraphs: []paragraphJSON{}}
	for _, p := range t.Paragraphs {
		pj := paragraphJSON{ID: p.ID, Number: p.Number, Text: p.Body, Status: p.Status, Part: p.Part, Sources: p.Sources}
		if p.Heading() {
			pj.Heading, pj.Text, pj.Status = int(p.Level), p.Title, ""
		}
		for _, a := range p.Amendments {
			pj.Amendments = append(pj.Amendments, toAmendmentJSON(p, a))
		}
		d.Paragraphs = append(d.Paragraphs, pj)
	}
	return d
}

func toAmendmentJSON(p *app.DraftParagraph, a *app.Record) amendmentJSON {
	return amendmentJSON{ID: a.ID, Paragraph: p.ID, Number: p.Number, Action: a.Action, Text: a.Body, After: a.After,
		Author: a.Author, Org: a.Org, Stakeholder: a.Stakeholder, Rationale: a.Rationale, Status: a.Status,
		Supporters: a.Supporters, Opposers: a.Opposers, Sources: a.Sources}
}

type revisionOut struct {
	Revision   int                `json:"revision"`
	ID         app.RecordID       `json:"id"`
	By         string             `json:"by"`
	Issued     string             `json:"issued"`
	Paragraphs []app.RevParagraph `json:"paragraphs"`
	Memo       []app.MemoEntry    `json:"memo"`
}

func revisionJSON(r *app.RevisionText) revisionOut {
	memo := r.Memo
	if memo == nil {
		memo = []app.MemoEntry{}
	}
	return revisionOut{Revision: r.Number, ID: r.Record.ID, By: r.By, Issued: shownTime(r.Record.Created),
		Paragraphs: r.Paragraphs, Memo: memo}
}

type compareOut struct {
	ID     app.RecordID `json:"id"`
	From   string       `json:"from,omitempty"`
	To     string       `json:"to,omitempty"`
	Change string       `json:"change,omitempty"`
	Marked []markedJSON `json:"marked"`
}

type markedJSON struct {
	Kind string `json:"kind"` // equal, insert, delete
	Text string `json:"text"`
}

func compareJSON(ds []app.ParagraphDiff) []compareOut {
	out := []compareOut{}
	for _, d := range ds {
		c := compareOut{ID: d.ID, From: d.From, To: d.To, Change: d.Change, Marked: []markedJSON{}}
		for _, m := range d.Marked {
			c.Marked = append(c.Marked, markedJSON{Kind: m.Kind.String(), Text: m.Text})
		}
		out = append(out, c)
	}
	return out
}
