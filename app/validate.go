package app

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// ParseKind checks that s names a record kind.
func ParseKind(s string) (Kind, error) {
	for _, k := range slices.Concat(Kinds, DraftingKinds) {
		if string(k) == s {
			return k, nil
		}
	}
	return "", invalid("kind", fmt.Sprintf("unknown kind %q", s), strs(slices.Concat(Kinds, DraftingKinds))...)
}

// ParseStatus checks that s names a status.
func ParseStatus(s string) (Status, error) {
	for _, st := range slices.Concat(Statuses, ParagraphStatuses, AmendmentStatuses) {
		if string(st) == s {
			return st, nil
		}
	}
	return "", invalid("status", fmt.Sprintf("unknown status %q", s), strs(slices.Concat(Statuses, ParagraphStatuses, AmendmentStatuses))...)
}

// ParseLang checks that s is one of the consultation's languages.
func ParseLang(s string) (Lang, error) {
	for _, l := range Languages {
		if string(l) == s {
			return l, nil
		}
	}
	return "", invalid("lang", fmt.Sprintf("unknown language %q", s), strs(Languages)...)
}

// CheckCode checks that code is in the taxonomy list named list and returns
// an Invalid error naming field and the valid codes when it is not.
func (t *Taxonomy) CheckCode(field, list, code string) error {
	if _, ok := t.Lookup(list, code); ok {
		return nil
	}
	return invalid(field, fmt.Sprintf("unknown code %q", code), t.Codes(list)...)
}

// ValidatePatch checks every value p sets for a record of kind k.
func (t *Taxonomy) ValidatePatch(k Kind, p *Patch) error { return t.validatePatch(k, p, false) }

// validatePatch is ValidatePatch; decoded says that p was read by
// DecodeOp, which refuses text that is not valid UTF-8, so its texts are
// not checked again (the body of a first sync's notes is most of what it
// reads).
func (t *Taxonomy) validatePatch(k Kind, p *Patch, decoded bool) error {
	if p == nil {
		return nil
	}
	utf8Valid := func(s string) bool { return decoded || utf8.ValidString(s) }
	if err := checkTexts(p, utf8Valid); err != nil {
		return err
	}
	if err := t.checkPatchCodes(k, p); err != nil {
		return err
	}
	if err := checkDrafting(k, p, utf8Valid); err != nil {
		return err
	}
	return checkNames(p, utf8Valid)
}

// checkTexts checks the title, body, author, organization and venue p
// sets; utf8Valid says whether a text is valid UTF-8.
func checkTexts(p *Patch, utf8Valid func(string) bool) error {
	if p.Title != nil {
		s := strings.TrimSpace(*p.Title)
		switch {
		case s == "":
			return invalid("title", "must not be empty")
		case len(s) > MaxTitle:
			return invalid("title", fmt.Sprintf("is %d bytes long; at most %d", len(s), MaxTitle))
		case !utf8Valid(s):
			return invalid("title", "is not valid UTF-8 text")
		}
	}
	if p.Body != nil {
		switch {
		case len(*p.Body) > MaxBody:
			return invalid("body", fmt.Sprintf("is %d bytes long; at most %d (1 MiB)", len(*p.Body), MaxBody))
		case !utf8Valid(*p.Body):
			return invalid("body", "is not valid UTF-8 text")
		}
	}
	for _, s := range []*string{p.Author, p.Org, p.Venue} {
		if s != nil && (len(*s) > MaxTitle || !utf8Valid(*s)) {
			return invalid("author/org/venue", fmt.Sprintf("must be valid text of at most %d bytes", MaxTitle))
		}
	}
	return nil
}

// checkPatchCodes checks the codes p sets or adds and removes for a
// record of kind k (language, sub-region, country, stakeholder group,
// themes, populations, tags, status) and its date.
func (t *Taxonomy) checkPatchCodes(k Kind, p *Patch) error {
	if p.Lang != nil {
		if _, err := ParseLang(string(*p.Lang)); err != nil {
			return err
		}
	}
	if p.SubRegion != nil && *p.SubRegion != "" {
		if err := t.CheckCode("subregion", "subregions", string(*p.SubRegion)); err != nil {
			return err
		}
	}
	if p.Country != nil && *p.Country != "" {
		if err := t.CheckCode("country", "countries", string(*p.Country)); err != nil {
			err.(*Error).Msg += " (ISO 3166-1 alpha-2, Latin America and the Caribbean)"
			return err
		}
	}
	if p.Stakeholder != nil && *p.Stakeholder != "" {
		if err := t.CheckCode("stakeholder", "stakeholders", string(*p.Stakeholder)); err != nil {
			return err
		}
	}
	if err := checkCodes(t, "theme", "themes", p.AddThemes, p.DelThemes); err != nil {
		return err
	}
	if err := checkCodes(t, "population", "populations", p.AddPops, p.DelPops); err != nil {
		return err
	}
	if err := checkCodes(t, "tag", "tags", p.AddTags, p.DelTags); err != nil {
		return err
	}
	if p.Status != nil && !slices.Contains(StatusesFor(k), *p.Status) {
		return invalid("status", fmt.Sprintf("%q is not a status of a %s", *p.Status, k), strs(StatusesFor(k))...)
	}
	if p.Date != nil && *p.Date != "" {
		if _, err := time.Parse(time.DateOnly, *p.Date); err != nil {
			return invalid("date", fmt.Sprintf("%q is not a date; write YYYY-MM-DD", *p.Date))
		}
	}
	return nil
}

// checkNames checks the record ids p names (meeting, reply, sources,
// merges) and the names of contributors and supporters it adds or
// removes.
func checkNames(p *Patch, utf8Valid func(string) bool) error {
	for _, id := range []*RecordID{p.Meeting, p.ReplyTo} {
		if id != nil && *id != "" && !ValidID(string(*id)) {
			return invalid("id", fmt.Sprintf("%q is not a record id", *id))
		}
	}
	for _, ids := range [][]RecordID{p.AddSources, p.DelSources, p.AddMerged, p.DelMerged} {
		for _, id := range ids {
			if !ValidID(string(id)) {
				return invalid("id", fmt.Sprintf("%q is not a record id", id))
			}
		}
	}
	for _, names := range [][]string{p.AddContribs, p.DelContribs, p.AddSupport, p.DelSupport} {
		for _, n := range names {
			if strings.TrimSpace(n) == "" || len(n) > MaxTitle || !utf8Valid(n) {
				return invalid("name", fmt.Sprintf("a contributor or supporter must be a name of at most %d bytes", MaxTitle))
			}
		}
	}
	return nil
}

// checkCodes is CheckCode of every code of added and removed.
func checkCodes[T ~string](t *Taxonomy, field, list string, added, removed []T) error {
	for _, codes := range [2][]T{added, removed} {
		for _, c := range codes {
			if err := t.CheckCode(field, list, string(c)); err != nil {
				return err
			}
		}
	}
	return nil
}

// ValidateRecord checks the state a change would leave a record in: what
// must hold whatever combination of patches produced it.
func (t *Taxonomy) ValidateRecord(r *Record) error {
	if IsDrafting(r.Kind) {
		return validateDrafting(r)
	}
	if strings.TrimSpace(r.Title) == "" {
		return invalid("title", "must not be empty")
	}
	if len(r.Themes) == 0 && r.Kind != KindMeeting && r.Kind != KindComment {
		return invalid("theme", fmt.Sprintf("a %s needs at least one theme", r.Kind), t.ThemeCodes()...)
	}
	if r.Country != "" && r.SubRegion != "" && r.SubRegion != "regional" {
		if sr, _ := t.RegionOf(r.Country); sr != r.SubRegion {
			return invalid("country", fmt.Sprintf("%s is not in sub-region %s", r.Country, r.SubRegion), t.subRegionCountries(r.SubRegion)...)
		}
	}
	if r.Kind == KindComment && r.ReplyTo == "" {
		return invalid("reply-to", "a comment must reply to a record")
	}
	return nil
}

func (t *Taxonomy) subRegionCountries(sr SubRegion) []string {
	if x, ok := t.Lookup("subregions", string(sr)); ok {
		return x.Countries
	}
	return nil
}

func strs[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
