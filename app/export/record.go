package export

import (
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// Record is a record as JSON: snake_case keys, sets always arrays, times in
// RFC 3339. The CLI's --json prints it and JSON exports hold it;
// docs/CLI.md documents it.
type Record struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	Lang        string    `json:"lang"`
	Meeting     string    `json:"meeting"`
	SubRegion   string    `json:"subregion"`
	Country     string    `json:"country"`
	Themes      []string  `json:"themes"`
	Stakeholder string    `json:"stakeholder"`
	Populations []string  `json:"populations"`
	Tags        []string  `json:"tags"`
	Status      string    `json:"status"`
	Author      string    `json:"author"`
	Org         string    `json:"org"`
	Venue       string    `json:"venue,omitempty"`
	Date        string    `json:"date,omitempty"`
	Device      string    `json:"device"`
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated"`
	Sources     []string  `json:"sources"`
	MergedInto  []string  `json:"merged_into"`
	RepliesTo   string    `json:"replies_to,omitempty"`
	Version     string    `json:"version"`
	// Contributors: the authors and organizations a consolidated proposal
	// was merged from.
	Contributors []string `json:"contributors"`
	// Conflict: absent, or the competing versions of the body.
	Conflict    []Version `json:"conflict,omitempty"`
	Attention   []string  `json:"attention"`
	Supporters  int       `json:"supporters"`
	SupportedBy []string  `json:"supported_by"`
	Comments    int       `json:"comments"`
	Sensitive   bool      `json:"sensitive"` // see app.Record.Sensitive
}

// Version is one competing version of a body; take it with
// resolve --take N (N counts from 1 in this list).
type Version struct {
	Body string `json:"body"`
	From string `json:"from"` // the edit (device/seq) whose change it keeps
}

// RecordOf converts r, which has comments comments.
func RecordOf(r *app.Record, comments int) Record {
	j := Record{
		ID: string(r.ID), Kind: string(r.Kind), Title: r.Title, Body: r.Body, Lang: string(r.Lang),
		Meeting: string(r.Meeting), SubRegion: string(r.SubRegion), Country: string(r.Country),
		Themes: strs(r.Themes), Stakeholder: string(r.Stakeholder), Populations: strs(r.Populations),
		Tags: strs(r.Tags), Status: string(r.Status), Author: r.Author, Org: r.Org, Venue: r.Venue,
		Date: r.Date, Device: string(r.Device), Created: r.CreatedTime(), Updated: r.UpdatedTime(),
		Sources: strs(r.Sources), MergedInto: strs(r.MergedInto), RepliesTo: string(r.ReplyTo),
		Version: r.Version.String(), Contributors: nonNil(r.Contributors), Attention: nonNil(r.Attention),
		Supporters: len(r.Supporters), SupportedBy: nonNil(r.Supporters), Comments: comments, Sensitive: r.Sensitive,
	}
	for _, v := range r.Conflict {
		j.Conflict = append(j.Conflict, Version{Body: v.Body, From: v.From.String()})
	}
	return j
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
