// Package demo generates deterministic, realistic sample data for Consulta:
// the meetings of the Cartagena+40 consultations and the notes, proposals,
// stakeholder inputs and comments delegates record in them, in Spanish,
// Portuguese, English and French.
//
// Generate builds the drafts; Load stores them through an app.Service. The
// same (n, seed) always gives the same drafts, ids included, so demo data,
// screenshots and benchmarks are reproducible. Every draft passes the
// service's validation: codes come from the taxonomy, a record's country
// belongs to its sub-region, and records refer only to meetings and
// proposals that come before them.
//
// The text is assembled from the phrase banks in text.go: sentences about
// the actual themes of the process (asylum systems, statelessness, labour
// inclusion, documentation, borders, climate displacement, gender-based
// violence, regularization, resettlement, local integration, data,
// financing, return, participation, regional cooperation), filled with
// countries, cities, people, organizations and figures, so that full-text
// search and facet filters have realistic material to work on.
package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cartagena-c40/consulta/app"
	"github.com/oklog/ulid/v2"
)

// The languages, as indexes into the phrase banks.
const (
	lES = iota
	lPT
	lEN
	lFR
	nLang
)

var langCodes = [nLang]app.Lang{"es", "pt", "en", "fr"}

// langTarget is the share of records in each language, in per mille.
var langTarget = [nLang]int{500, 200, 200, 100}

// The PCG streams: content and ids draw from separate sources, so that
// editing the phrase banks does not change the ids.
const (
	streamContent = 0x4361727461676e61 // "Cartagna"
	streamIDs     = 0x2b3430756c696473 // "+40ulids"
)

// The calendar of the generated data: records are created from start over
// span, meetings are held between meetingFirst and meetingLast.
var (
	start        = time.Date(2024, 3, 1, 8, 0, 0, 0, time.UTC)
	span         = 280 * 24 * time.Hour
	meetingFirst = time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	meetingLast  = time.Date(2024, 11, 29, 0, 0, 0, 0, time.UTC)
)

// Body lengths, in words.
const (
	minWords = 40
	maxWords = 250
)

// Generate returns n drafts built deterministically from seed: the same (n, seed) always gives
// the same drafts, including their IDs. Meetings come first in the slice; every other draft refers
// only to meetings (Patch.Meeting) or records (Patch.ReplyTo) that appear earlier in the slice.
//
// About one draft in 200 is a meeting (at least one per sub-region when
// n >= 5); of the rest about 45% are notes, 30% proposals, 20% stakeholder
// inputs and 5% comments on earlier proposals. tax is the taxonomy the codes
// are drawn from; nil means app.MustTaxonomy().
func Generate(tax *app.Taxonomy, n int, seed int64) []app.Draft {
	if n <= 0 {
		return nil
	}
	if tax == nil {
		tax = app.MustTaxonomy()
	}
	return newGen(tax, n, seed).run(n)
}

// Load generates n records and stores them through svc in batches of at most batch drafts
// (meetings in their own first batch(es), since a note's meeting must already be stored),
// calling progress(done, total) after each batch (progress may be nil). It returns the ids created.
//
// Service.CreateMany checks that a comment's proposal is already stored, so
// a comment whose proposal is in the batch being filled waits for the next
// batch; the ids are returned in the order they were stored, which is
// Generate's order except for those comments. A batch below 1 means 500.
// On error, Load returns the ids stored so far with the error. Loading the
// same seed twice into one store does not duplicate records: the second
// create of an id is ignored when records are folded.
func Load(svc *app.Service, n int, seed int64, batch int, progress func(done, total int)) ([]app.RecordID, error) {
	if batch < 1 {
		batch = 500
	}
	drafts := Generate(svc.Taxonomy(), n, seed)
	total := len(drafts)
	ids := make([]app.RecordID, 0, total)
	pending := map[app.RecordID]bool{} // ids in cur, not yet stored
	cur := make([]app.Draft, 0, min(batch, total))
	var waiting []app.Draft

	flush := func() error {
		if len(cur) == 0 {
			return nil
		}
		got, err := svc.CreateMany(cur)
		if err != nil {
			return fmt.Errorf("demo: storing records %d to %d of %d: %w", len(ids)+1, len(ids)+len(cur), total, err)
		}
		ids = append(ids, got...)
		cur = cur[:0]
		clear(pending)
		if progress != nil {
			progress(len(ids), total)
		}
		return nil
	}
	dependsOnPending := func(d *app.Draft) bool {
		return d.Patch.Meeting != nil && pending[*d.Patch.Meeting] || d.Patch.ReplyTo != nil && pending[*d.Patch.ReplyTo]
	}
	add := func(d app.Draft) error {
		if dependsOnPending(&d) {
			waiting = append(waiting, d)
			return nil
		}
		cur = append(cur, d)
		pending[d.ID] = true
		if len(cur) < batch {
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		// What waited on the batch just stored can go now, unless it waits
		// on another waiting draft that goes before it.
		w := waiting
		waiting = nil
		for _, d := range w {
			if len(cur) >= batch || dependsOnPending(&d) {
				waiting = append(waiting, d)
				continue
			}
			cur = append(cur, d)
			pending[d.ID] = true
		}
		return nil
	}

	i := 0
	for ; i < len(drafts) && drafts[i].Kind == app.KindMeeting; i++ {
		if err := add(drafts[i]); err != nil {
			return ids, err
		}
	}
	if err := flush(); err != nil {
		return ids, err
	}
	for ; i < len(drafts); i++ {
		if err := add(drafts[i]); err != nil {
			return ids, err
		}
	}
	for len(cur) > 0 || len(waiting) > 0 {
		if err := flush(); err != nil {
			return ids, err
		}
		w := waiting
		waiting = nil
		for _, d := range w {
			if err := add(d); err != nil {
				return ids, err
			}
		}
	}
	return ids, nil
}

// topic is a topicText with its codes checked against the taxonomy.
type topic struct {
	*topicText
	idx     int
	themes  []app.ThemeCode
	pops    []app.PopulationCode
	tags    []app.TagCode
	groups  []app.StakeholderCode
	actions []*[nLang]tmpl
	facts   []*[nLang]tmpl
	asks    []*[nLang]tmpl
}

// region is a sub-region and the places in it.
type region struct {
	code    app.SubRegion
	members []*place // nil: the whole region, any country
	weight  int
}

type meeting struct {
	id     app.RecordID
	region *region
	place  *place
	city   string
	lang   int
	topic  *topic // the subject of a thematic consultation, or nil
}

type proposal struct {
	id    app.RecordID
	title string
	m     *meeting
	lang  int
	topic *topic
}

// env is what a phrase's slots are filled from.
type env struct {
	lang   int
	t1, t2 *topic
	action int
	pl     *place
	city   string
	region string
	pop    string
	org    string
}

type gen struct {
	tax *app.Taxonomy
	r   *rand.Rand
	ids idSource

	places     []*place // in the taxonomy's order
	placeW     []int
	byCode     map[app.CountryCode]*place
	regions    []*region
	regionW    []int
	topics     []*topic
	themes     []app.ThemeCode
	pops       []app.PopulationCode
	popLabel   [nLang]map[app.PopulationCode]string
	tags       []app.TagCode
	groups     []app.StakeholderCode
	groupW     []int
	statuses   []app.Status
	statusW    []int
	langW      [nLang]int
	regionName map[app.SubRegion][nLang]string

	meetings  []*meeting
	proposals []proposal
	titles    map[string]int

	buf   []byte         // scratch for the text being written
	cands []*[nLang]tmpl // the phrases planned for the body being written
	used  []*[nLang]tmpl // the phrases in it so far
	opts  []*[nLang]tmpl // scratch for unused
}

// idSource makes time-ordered, reproducible ULIDs: each id is a little
// later than the one before, and its entropy comes from a seeded PCG.
type idSource struct {
	pcg *rand.PCG
	ms  uint64
	gap uint64 // the largest step between ids, in ms
}

// Read fills p from the PCG; it is the entropy of the ids.
func (s *idSource) Read(p []byte) (int, error) {
	for i := 0; i < len(p); i += 8 {
		v := s.pcg.Uint64()
		for j := 0; j < 8 && i+j < len(p); j++ {
			p[i+j] = byte(v >> (8 * j))
		}
	}
	return len(p), nil
}

func (s *idSource) next() app.RecordID {
	s.ms += 1 + s.pcg.Uint64()%s.gap
	return app.RecordID(ulid.MustNew(s.ms, s).String())
}

func newGen(tax *app.Taxonomy, n int, seed int64) *gen {
	g := &gen{
		tax:        tax,
		r:          rand.New(rand.NewPCG(uint64(seed), streamContent)),
		byCode:     map[app.CountryCode]*place{},
		titles:     map[string]int{},
		regionName: map[app.SubRegion][nLang]string{},
	}
	pcg := rand.NewPCG(uint64(seed), streamIDs)
	g.ids = idSource{pcg: pcg, gap: max(2, 2*uint64(span.Milliseconds())/uint64(n))}
	g.ids.ms = uint64(start.UnixMilli()) + pcg.Uint64()%uint64(time.Hour.Milliseconds())

	known := map[app.CountryCode]*place{}
	for i := range places {
		known[places[i].code] = &places[i]
	}
	for _, c := range tax.Countries {
		code := app.CountryCode(c.Code)
		p, ok := known[code]
		if !ok { // a country the phrase banks do not know: name it only
			name := c.Labels.In("es")
			p = &place{code: code, lang: lES, weight: 1, cities: []string{name}, inPT: "em " + name, inFR: "en " + name}
		}
		g.places = append(g.places, p)
		g.placeW = append(g.placeW, p.weight)
		g.byCode[code] = p
	}
	for _, sr := range tax.SubRegions {
		code := app.SubRegion(sr.Code)
		rg := &region{code: code, weight: regionWeights[code]}
		if rg.weight == 0 {
			rg.weight = 10
		}
		for _, c := range sr.Countries {
			if p := g.byCode[app.CountryCode(c)]; p != nil {
				rg.members = append(rg.members, p)
			}
		}
		if len(rg.members) == 0 && code != "regional" {
			continue // no country could be valid in it
		}
		g.regions = append(g.regions, rg)
		g.regionW = append(g.regionW, rg.weight)
		var names [nLang]string
		for l := range nLang {
			names[l] = sr.Labels.In(langCodes[l])
		}
		g.regionName[code] = names
	}

	for _, c := range tax.ThemeCodes() {
		g.themes = append(g.themes, app.ThemeCode(c))
	}
	for _, c := range tax.Codes("populations") {
		g.pops = append(g.pops, app.PopulationCode(c))
	}
	for l := range nLang {
		g.popLabel[l] = map[app.PopulationCode]string{}
		for _, c := range g.pops {
			g.popLabel[l][c] = lowerFirst(tax.Label("populations", string(c), langCodes[l]))
		}
	}
	for _, c := range tax.Codes("tags") {
		g.tags = append(g.tags, app.TagCode(c))
	}
	for _, c := range tax.Codes("stakeholders") {
		code := app.StakeholderCode(c)
		w := groupWeights[code]
		if w == 0 {
			w = 2
		}
		g.groups = append(g.groups, code)
		g.groupW = append(g.groupW, w)
	}
	for _, s := range []struct {
		st app.Status
		w  int
	}{{app.StatusDraft, 30}, {app.StatusSubmitted, 30}, {app.StatusUnderReview, 25}, {app.StatusAdopted, 15}} {
		if slices.Contains(app.StatusesFor(app.KindProposal), s.st) {
			g.statuses = append(g.statuses, s.st)
			g.statusW = append(g.statusW, s.w)
		}
	}

	for i := range compiled.topics {
		ct := &compiled.topics[i]
		t := &topic{topicText: ct.text, idx: len(g.topics), actions: ct.actions, facts: ct.facts, asks: ct.asks}
		for _, c := range ct.text.themes {
			if _, ok := tax.Theme(c); ok {
				t.themes = append(t.themes, c)
			}
		}
		for _, c := range ct.text.pops {
			if _, ok := tax.Lookup("populations", string(c)); ok {
				t.pops = append(t.pops, c)
			}
		}
		for _, c := range ct.text.tags {
			if _, ok := tax.Lookup("tags", string(c)); ok {
				t.tags = append(t.tags, c)
			}
		}
		for _, c := range ct.text.groups {
			if _, ok := tax.Lookup("stakeholders", string(c)); ok {
				t.groups = append(t.groups, c)
			}
		}
		if len(t.themes) == 0 {
			continue // the taxonomy changed under this topic
		}
		g.topics = append(g.topics, t)
	}
	if len(g.topics) == 0 || len(g.regions) == 0 || len(g.places) == 0 {
		panic("demo: the taxonomy shares no themes, sub-regions or countries with the phrase banks")
	}
	return g
}

// meetingCount is how many of n drafts are meetings.
func meetingCount(n, regions int) int {
	m := (n + 100) / 200
	switch {
	case n < regions:
		return 1
	case m < regions:
		return regions
	}
	return m
}

func (g *gen) run(n int) []app.Draft {
	drafts := make([]app.Draft, 0, n)
	m := meetingCount(n, len(g.regions))
	first := g.r.Perm(len(g.regions)) // one meeting per sub-region first
	days := int(meetingLast.Sub(meetingFirst).Hours() / 24)
	for i := range m {
		rg := g.regions[pickW(g.r, g.regionW)]
		if i < len(first) {
			rg = g.regions[first[i]]
		}
		day := meetingFirst.AddDate(0, 0, i*days/m+g.r.IntN(max(1, days/m)))
		drafts = append(drafts, g.meeting(rg, day))
	}
	g.balanceLanguages()
	for len(drafts) < n {
		var kind app.Kind
		switch x := g.r.IntN(100); {
		case x < 45:
			kind = app.KindNote
		case x < 75:
			kind = app.KindProposal
		case x < 95:
			kind = app.KindInput
		default:
			kind = app.KindComment
		}
		if kind == app.KindComment && len(g.proposals) == 0 {
			kind = app.KindProposal
		}
		if kind == app.KindComment {
			drafts = append(drafts, g.comment())
		} else {
			drafts = append(drafts, g.record(kind))
		}
	}
	return drafts
}

// balanceLanguages sets the language weights of records that do not follow
// their meeting's language, so that overall about langTarget of records are
// in each language: half the records follow the meeting.
func (g *gen) balanceLanguages() {
	var mix [nLang]int
	for _, m := range g.meetings {
		mix[m.lang] += 1000
	}
	total := 0
	for l := range nLang {
		w := 2*langTarget[l] - mix[l]/len(g.meetings)
		g.langW[l] = max(w, 0)
		total += g.langW[l]
	}
	if total == 0 {
		g.langW = langTarget
	}
}

func (g *gen) meeting(rg *region, day time.Time) app.Draft {
	pl := g.placeIn(rg, true)
	m := &meeting{id: g.ids.next(), region: rg, place: pl, city: pick(g.r, pl.cities), lang: pl.lang}
	e := &env{lang: m.lang, pl: pl, city: m.city, region: g.regionName[rg.code][m.lang]}
	e.t1 = g.topics[g.r.IntN(len(g.topics))]
	e.t2 = g.otherTopic(e.t1)
	var title string
	switch x := g.r.IntN(100); {
	case x < 25:
		m.topic = e.t1
		title = g.fillString(e, &compiled.thematicTitle[e.lang])
	case x < 38:
		title = g.fillString(e, &compiled.dialogueTitle[e.lang])
	default:
		if t, ok := subregionalTitle[rg.code]; ok {
			title = t[m.lang]
		} else {
			title = g.fillString(e, &compiled.subregionalFallback[e.lang])
		}
		title += " — " + m.city
	}
	if k := g.titles[title]; k > 0 {
		g.titles[title] = k + 1
		title += " (" + roman(k+1) + ")"
	} else {
		g.titles[title] = 1
	}
	g.meetings = append(g.meetings, m)

	venue := g.fillString(e, pick(g.r, compiled.venues[m.lang]))
	date := day.Format(time.DateOnly)
	group := app.StakeholderCode("state")
	if g.r.IntN(10) < 3 {
		group = "international-organizations"
	}
	author, org := g.person(group, pl, m.lang)
	g.cands = g.cands[:0]
	g.cands = append(g.cands, compiled.meetingSentences...)
	g.shuffleFrom(0)
	body := g.compose(e, nil, compiled.meetingSentences, false, 40, 140, 2)
	lang, sr, country := langCodes[m.lang], rg.code, pl.code
	p := app.Patch{Title: &title, Body: &body, Lang: &lang, SubRegion: &sr, Country: &country,
		Venue: &venue, Date: &date, Author: &author, Org: &org}
	if m.topic != nil {
		p.AddThemes = []app.ThemeCode{m.topic.themes[0]}
	}
	return app.Draft{ID: m.id, Kind: app.KindMeeting, Patch: p}
}

// record makes a note, a proposal or an input.
func (g *gen) record(kind app.Kind) app.Draft {
	m := g.meetings[g.r.IntN(len(g.meetings))]
	e := &env{lang: g.langFor(m), pl: m.place, city: m.city}
	e.region = g.regionName[m.region.code][e.lang]
	if m.topic != nil && g.r.IntN(2) == 0 {
		e.t1 = m.topic
	} else {
		e.t1 = g.topics[g.r.IntN(len(g.topics))]
	}
	e.t2 = g.otherTopic(e.t1)
	second := g.r.IntN(100) < 40
	id := g.ids.next()

	// Classification.
	themes := g.themesFor(e.t1, e.t2, second)
	pops := g.popsFor(e.t1)
	tags := g.tagsFor(e.t1)
	if len(pops) > 0 {
		e.pop = g.popLabel[e.lang][pops[0]]
	} else {
		e.pop = g.popLabel[e.lang][g.anyPop(e.t1)]
	}
	group := g.groupFor(e.t1)
	withGroup := kind == app.KindInput || g.r.IntN(100) < 70
	if kind == app.KindProposal && !withGroup {
		group = "state" // unattributed proposals mostly come from delegations
	}
	orgPlace := m.place
	if m.region.members == nil || g.r.IntN(4) == 0 {
		orgPlace = g.placeIn(m.region, false)
	}
	author, org := g.person(group, orgPlace, e.lang)
	e.org = org

	// Text.
	var title, body string
	c := g.cands[:0]
	switch kind {
	case app.KindNote:
		title = g.fillString(e, &pick(g.r, compiled.noteTitles)[e.lang])
		c = append(c, pick(g.r, compiled.noteOpeners))
		c = append(c, e.t1.facts...)
		c = g.appendSome(c, compiled.noteSentences, 3)
		if second {
			c = g.appendSome(c, e.t2.facts, 2)
		}
		c = g.appendSome(c, e.t1.asks, 1)
		g.cands = c
		g.shuffleFrom(1)
		body = g.compose(e, compiled.noteClosers, compiled.noteSentences, true, 50, 230, 4)
	case app.KindProposal:
		e.action = g.r.IntN(len(e.t1.actions))
		title = g.fillString(e, &pick(g.r, compiled.proposalTitles)[e.lang])
		c = append(c, pick(g.r, compiled.proposalOpeners))
		c = append(c, e.t1.asks...)
		n := len(c)
		c = g.appendSome(c, compiled.proposalSentences, 3)
		c = g.appendSome(c, e.t1.facts, 1)
		if second {
			c = g.appendSome(c, e.t2.asks, 1)
		}
		g.cands = c
		g.shuffleRange(1, n)
		g.shuffleFrom(n)
		body = g.compose(e, nil, compiled.proposalSentences, true, 45, 200, 4)
	case app.KindInput:
		title = g.fillString(e, &pick(g.r, compiled.inputTitles)[e.lang])
		c = append(c, pick(g.r, compiled.inputOpeners))
		c = g.appendSome(c, e.t1.facts, 3)
		c = g.appendSome(c, compiled.inputSentences, 2)
		c = g.appendSome(c, e.t1.asks, 2)
		if second {
			c = g.appendSome(c, e.t2.facts, 1)
		}
		g.cands = c
		g.shuffleFrom(1)
		body = g.compose(e, compiled.inputClosers, compiled.inputSentences, true, 50, 230, 4)
	}

	lang, sr, country, mid := langCodes[e.lang], m.region.code, m.place.code, m.id
	p := app.Patch{Title: &title, Body: &body, Lang: &lang, Meeting: &mid, SubRegion: &sr, Country: &country,
		Author: &author, Org: &org, AddThemes: themes, AddPops: pops, AddTags: tags}
	if withGroup {
		p.Stakeholder = &group
	}
	if kind == app.KindProposal {
		st := g.statuses[pickW(g.r, g.statusW)]
		p.Status = &st
		g.proposals = append(g.proposals, proposal{id: id, title: title, m: m, lang: e.lang, topic: e.t1})
	}
	return app.Draft{ID: id, Kind: kind, Patch: p}
}

// comment makes a comment on an earlier proposal.
func (g *gen) comment() app.Draft {
	pr := &g.proposals[g.r.IntN(len(g.proposals))]
	m := pr.m
	lang := pr.lang
	if g.r.IntN(10) >= 6 {
		lang = g.langFor(m)
	}
	e := &env{lang: lang, pl: m.place, city: m.city, t1: pr.topic, region: g.regionName[m.region.code][lang]}
	e.t2 = g.otherTopic(e.t1)
	e.pop = g.popLabel[lang][g.anyPop(e.t1)]
	id := g.ids.next()
	group := g.groupFor(e.t1)
	orgPlace := g.placeIn(m.region, false)
	author, org := g.person(group, orgPlace, lang)
	e.org = org

	title := "Re: " + pr.title
	if len(title) > app.MaxTitle {
		title = truncate(title, app.MaxTitle)
	}
	g.cands = append(g.cands[:0], compiled.commentSentences...)
	g.shuffleFrom(0)
	body := g.compose(e, nil, compiled.commentSentences, false, 40, 100, 2)
	l, sr, country, mid, reply := langCodes[lang], m.region.code, m.place.code, m.id, pr.id
	p := app.Patch{Title: &title, Body: &body, Lang: &l, Meeting: &mid, SubRegion: &sr, Country: &country,
		Author: &author, Org: &org, ReplyTo: &reply}
	if g.r.IntN(10) < 6 {
		p.Stakeholder = &group
	}
	return app.Draft{ID: id, Kind: app.KindComment, Patch: p}
}

// langFor picks a record's language: its meeting's half the time,
// otherwise by the balancing weights.
func (g *gen) langFor(m *meeting) int {
	if g.r.IntN(2) == 0 {
		return m.lang
	}
	return pickW(g.r, g.langW[:])
}

// placeIn picks a country of rg, any country for the whole region; hosts
// picks by hosting weight, otherwise uniformly.
func (g *gen) placeIn(rg *region, hosts bool) *place {
	if rg.members == nil {
		if hosts {
			return g.places[pickW(g.r, g.placeW)]
		}
		return g.places[g.r.IntN(len(g.places))]
	}
	if !hosts {
		return rg.members[g.r.IntN(len(rg.members))]
	}
	total := 0
	for _, p := range rg.members {
		total += p.weight
	}
	x := g.r.IntN(total)
	for _, p := range rg.members {
		if x -= p.weight; x < 0 {
			return p
		}
	}
	return rg.members[len(rg.members)-1]
}

func (g *gen) otherTopic(t *topic) *topic {
	if len(g.topics) == 1 {
		return t
	}
	o := g.topics[g.r.IntN(len(g.topics)-1)]
	if o == t {
		o = g.topics[len(g.topics)-1]
	}
	return o
}

// themesFor picks 1 to 3 themes: mostly the topic's, sometimes the second
// topic's, now and then any theme.
func (g *gen) themesFor(t1, t2 *topic, second bool) []app.ThemeCode {
	want := 1 + g.r.IntN(3)
	out := make([]app.ThemeCode, 0, want)
	if g.r.IntN(10) < 6 {
		out = append(out, t1.themes[0])
	} else {
		out = append(out, pick(g.r, t1.themes))
	}
	for tries := 0; len(out) < want && tries < 8; tries++ {
		var c app.ThemeCode
		switch x := g.r.IntN(10); {
		case x == 0:
			c = pick(g.r, g.themes)
		case x < 4 && second:
			c = pick(g.r, t2.themes)
		default:
			c = pick(g.r, t1.themes)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// popsFor picks 0 to 2 populations, mostly the topic's.
func (g *gen) popsFor(t *topic) []app.PopulationCode {
	want := [...]int{0, 0, 0, 1, 1, 1, 1, 2, 2, 2}[g.r.IntN(10)]
	if want == 0 || len(g.pops) == 0 {
		return nil
	}
	out := make([]app.PopulationCode, 0, want)
	for tries := 0; len(out) < want && tries < 6; tries++ {
		c := g.anyPop(t)
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func (g *gen) anyPop(t *topic) app.PopulationCode {
	if len(t.pops) > 0 && g.r.IntN(10) < 7 {
		return pick(g.r, t.pops)
	}
	return pick(g.r, g.pops)
}

// tagsFor picks 0 to 2 age, gender and diversity tags, mostly the topic's.
func (g *gen) tagsFor(t *topic) []app.TagCode {
	want := [...]int{0, 0, 0, 0, 1, 1, 1, 1, 2, 2}[g.r.IntN(10)]
	if want == 0 || len(g.tags) == 0 {
		return nil
	}
	out := make([]app.TagCode, 0, want)
	for tries := 0; len(out) < want && tries < 6; tries++ {
		var c app.TagCode
		if len(t.tags) > 0 && g.r.IntN(10) < 7 {
			c = pick(g.r, t.tags)
		} else {
			c = pick(g.r, g.tags)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func (g *gen) groupFor(t *topic) app.StakeholderCode {
	if len(t.groups) > 0 && g.r.IntN(10) < 4 {
		return pick(g.r, t.groups)
	}
	return g.groups[pickW(g.r, g.groupW)]
}

// person returns a name and an organization of group based in pl. The
// organization is named in pl's language, or in lang for international
// bodies; the person's name follows pl's language.
func (g *gen) person(group app.StakeholderCode, pl *place, lang int) (name, org string) {
	g.buf = g.appendName(g.buf[:0], pl.lang)
	name = string(g.buf)
	return name, g.org(group, pl, lang)
}

func (g *gen) appendName(b []byte, lang int) []byte {
	b = append(b, pick(g.r, firstNames[lang])...)
	b = append(b, ' ')
	b = append(b, pick(g.r, lastNames[lang])...)
	if lang == lES && g.r.IntN(10) < 4 {
		b = append(b, ' ')
		b = append(b, pick(g.r, lastNames[lang])...)
	}
	return b
}

func (g *gen) org(group app.StakeholderCode, pl *place, lang int) string {
	ol := pl.lang
	if orgInRecordLang[group] {
		ol = lang
	}
	switch {
	case group == "state" && len(pl.state) > 0 && g.r.IntN(2) == 0:
		return pick(g.r, pl.state)
	case group == "academia" && len(pl.univ) > 0 && g.r.IntN(10) < 7:
		return pick(g.r, pl.univ)
	}
	names, ok := compiled.orgs[group]
	if !ok {
		names = compiled.orgs["civil-society"]
	}
	e := env{lang: ol, pl: pl, city: pick(g.r, pl.cities)}
	return g.fillString(&e, pick(g.r, names[ol]))
}

// appendSome appends k distinct phrases of pool, in random order.
func (g *gen) appendSome(c []*[nLang]tmpl, pool []*[nLang]tmpl, k int) []*[nLang]tmpl {
	k = min(k, len(pool))
	var chosen [8]int
	got := chosen[:0]
	for len(got) < k {
		i := g.r.IntN(len(pool))
		if !slices.Contains(got, i) {
			got = append(got, i)
			c = append(c, pool[i])
		}
	}
	return c
}

func (g *gen) shuffleFrom(i int) { g.shuffleRange(i, len(g.cands)) }

func (g *gen) shuffleRange(i, j int) {
	s := g.cands[i:j]
	g.r.Shuffle(len(s), func(a, b int) { s[a], s[b] = s[b], s[a] })
}

// compose writes a body from g.cands, in order, until it holds between lo
// and hi words (never more than maxWords), in up to paras paragraphs. When
// the candidates run out it takes phrases not used yet from pool and, if
// topical, from the banks of the record's topics; one of closers may end it.
func (g *gen) compose(e *env, closers, pool []*[nLang]tmpl, topical bool, lo, hi, paras int) string {
	target := lo + g.r.IntN(hi-lo+1)
	nparas := 1 + g.r.IntN(paras)
	g.buf = g.buf[:0]
	used := g.used[:0]
	words, para := 0, 0
	add := func(t *[nLang]tmpl) bool {
		mark, oldPara := len(g.buf), para
		if mark > 0 {
			if para < nparas-1 && words >= target*(para+1)/nparas {
				g.buf = append(g.buf, "\n\n"...)
				para++
			} else {
				g.buf = append(g.buf, ' ')
			}
		}
		from := len(g.buf)
		g.fill(e, &t[e.lang])
		w := countWords(g.buf[from:])
		if words+w > maxWords {
			g.buf, para = g.buf[:mark], oldPara
			return false
		}
		words += w
		used = append(used, t)
		return true
	}
	next := 0
	for words < target {
		var t *[nLang]tmpl
		for t == nil && next < len(g.cands) {
			if c := g.cands[next]; !slices.Contains(used, c) {
				t = c
			}
			next++
		}
		if t == nil {
			t = g.unused(e, pool, topical, used)
		}
		if t == nil {
			if words >= minWords {
				break
			}
			t = pick(g.r, pool)
		}
		if !add(t) {
			break
		}
	}
	if len(closers) > 0 && g.r.IntN(2) == 0 {
		add(pick(g.r, closers))
	}
	g.used = used
	return string(g.buf)
}

// unused picks a phrase of pool (and of the topics' banks, if topical) that
// is not in used, or returns nil.
func (g *gen) unused(e *env, pool []*[nLang]tmpl, topical bool, used []*[nLang]tmpl) *[nLang]tmpl {
	opts := g.opts[:0]
	consider := func(xs []*[nLang]tmpl) {
		for _, x := range xs {
			if !slices.Contains(used, x) {
				opts = append(opts, x)
			}
		}
	}
	consider(pool)
	if topical {
		consider(e.t1.facts)
		consider(e.t1.asks)
		consider(e.t2.facts)
		consider(e.t2.asks)
	}
	g.opts = opts
	if len(opts) == 0 {
		return nil
	}
	return opts[g.r.IntN(len(opts))]
}

// fillString fills t and returns the text. It uses the
// end of g.buf as scratch space.
func (g *gen) fillString(e *env, t *tmpl) string {
	mark := len(g.buf)
	g.fill(e, t)
	s := string(g.buf[mark:])
	g.buf = g.buf[:mark]
	return s
}

// fill appends t, its slots filled from e, to g.buf.
func (g *gen) fill(e *env, t *tmpl) {
	for _, s := range *t {
		switch s.slot {
		case slotText:
			g.buf = append(g.buf, s.text...)
		case slotTopic:
			g.buf = append(g.buf, e.t1.name[e.lang]...)
		case slotTopic2:
			g.buf = append(g.buf, e.t2.name[e.lang]...)
		case slotShort:
			g.buf = append(g.buf, e.t1.short[e.lang]...)
		case slotAction:
			g.fill(e, &e.t1.actions[e.action][e.lang])
		case slotRegion:
			g.buf = append(g.buf, e.region...)
		case slotCountry:
			g.buf = append(g.buf, g.tax.Label("countries", string(e.pl.code), langCodes[e.lang])...)
		case slotInCountry:
			g.buf = g.appendInCountry(g.buf, e.pl, e.lang)
		case slotCity:
			g.buf = append(g.buf, e.city...)
		case slotSpeaker:
			g.appendSpeaker(e)
		case slotPop:
			g.buf = append(g.buf, e.pop...)
		case slotOrg:
			g.buf = append(g.buf, e.org...)
		case slotN:
			g.buf = appendNumber(g.buf, g.count(), e.lang)
		case slotK:
			g.buf = strconv.AppendInt(g.buf, int64(3+g.r.IntN(28)), 10)
		case slotPct:
			g.buf = strconv.AppendInt(g.buf, int64(8+g.r.IntN(78)), 10)
		case slotMonths:
			g.buf = strconv.AppendInt(g.buf, int64(pick(g.r, []int{3, 6, 9, 12, 18, 24})), 10)
		case slotYear:
			g.buf = strconv.AppendInt(g.buf, int64(2026+g.r.IntN(9)), 10)
		}
	}
}

// count is a figure for {n}: 30 to 30 000, spread over three magnitudes
// and rounded the way people quote figures.
func (g *gen) count() int {
	switch g.r.IntN(3) {
	case 0:
		return 30 + g.r.IntN(270)
	case 1:
		return (300 + g.r.IntN(2700)) / 10 * 10
	}
	return (3000 + g.r.IntN(27000)) / 100 * 100
}

// appendSpeaker appends "Name Surname (Organization)": someone from a
// country of the record's sub-region.
func (g *gen) appendSpeaker(e *env) {
	rg := g.regions[0]
	for _, r := range g.regions {
		if len(r.members) > 0 && slices.Contains(r.members, e.pl) {
			rg = r
			break
		}
	}
	pl := e.pl
	if g.r.IntN(10) < 6 {
		pl = g.placeIn(rg, false)
	}
	group := g.groups[pickW(g.r, g.groupW)]
	g.buf = g.appendName(g.buf, pl.lang)
	g.buf = append(g.buf, " ("...)
	org := g.org(group, pl, e.lang) // uses the end of g.buf as scratch
	g.buf = append(g.buf, org...)
	g.buf = append(g.buf, ')')
}

func (g *gen) appendInCountry(b []byte, pl *place, lang int) []byte {
	switch lang {
	case lPT:
		return append(b, pl.inPT...)
	case lFR:
		return append(b, pl.inFR...)
	case lEN:
		switch pl.code {
		case "BS":
			return append(b, "in the Bahamas"...)
		case "DO":
			return append(b, "in the Dominican Republic"...)
		}
		b = append(b, "in "...)
	default:
		b = append(b, "en "...)
	}
	return append(b, g.tax.Label("countries", string(pl.code), langCodes[lang])...)
}

// appendNumber writes n with the thousands separator of lang.
func appendNumber(b []byte, n, lang int) []byte {
	if n < 1000 {
		return strconv.AppendInt(b, int64(n), 10)
	}
	b = appendNumber(b, n/1000, lang)
	switch lang {
	case lEN:
		b = append(b, ',')
	case lFR:
		b = append(b, "\u202f"...) // narrow no-break space
	default:
		b = append(b, '.')
	}
	r := n % 1000
	return append(b, byte('0'+r/100), byte('0'+r/10%10), byte('0'+r%10))
}

// countWords counts runs of non-space bytes.
func countWords(b []byte) int {
	n, in := 0, false
	for _, c := range b {
		sp := c == ' ' || c == '\n'
		if !sp && !in {
			n++
		}
		in = !sp
	}
	return n
}

// lowerFirst lowers the first letter of s unless it starts an acronym
// ("LGBTIQ+").
func lowerFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	r2, _ := utf8.DecodeRuneInString(s[n:])
	if !unicode.IsUpper(r) || unicode.IsUpper(r2) {
		return s
	}
	return string(unicode.ToLower(r)) + s[n:]
}

func truncate(s string, n int) string {
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func roman(n int) string {
	vals := []int{1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1}
	syms := []string{"M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"}
	var b []byte
	for i, v := range vals {
		for ; n >= v; n -= v {
			b = append(b, syms[i]...)
		}
	}
	return string(b)
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// pickW picks an index with probability proportional to its weight.
func pickW(r *rand.Rand, w []int) int {
	total := 0
	for _, x := range w {
		total += x
	}
	x := r.IntN(total)
	for i, v := range w {
		if x -= v; x < 0 {
			return i
		}
	}
	return len(w) - 1
}

// Phrase templates: a phrase from text.go, split once into literal text and
// slots.

type slotKind uint8

const (
	slotText slotKind = iota
	slotTopic
	slotTopic2
	slotShort
	slotAction
	slotRegion
	slotCountry
	slotInCountry
	slotCity
	slotSpeaker
	slotPop
	slotOrg
	slotN
	slotK
	slotPct
	slotMonths
	slotYear
)

var slotNames = map[string]slotKind{
	"topic": slotTopic, "topic2": slotTopic2, "short": slotShort, "action": slotAction,
	"region": slotRegion, "country": slotCountry, "in_country": slotInCountry, "city": slotCity,
	"speaker": slotSpeaker, "pop": slotPop, "org": slotOrg, "n": slotN, "k": slotK,
	"pct": slotPct, "months": slotMonths, "year": slotYear,
}

type seg struct {
	slot slotKind
	text string
}

// tmpl is a compiled phrase in one language.
type tmpl []seg

// compile splits s into text and {slot}s. It panics on an unknown slot:
// the phrase banks are part of the program.
func compile(s string) tmpl {
	var t tmpl
	for s != "" {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			t = append(t, seg{text: s})
			break
		}
		if i > 0 {
			t = append(t, seg{text: s[:i]})
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			panic(fmt.Sprintf("demo: unclosed slot in %q", s))
		}
		k, ok := slotNames[s[i+1:i+j]]
		if !ok {
			panic(fmt.Sprintf("demo: unknown slot %q in %q", s[i:i+j+1], s))
		}
		t = append(t, seg{slot: k})
		s = s[i+j+1:]
	}
	return t
}

func compile4(x t4) *[nLang]tmpl {
	var out [nLang]tmpl
	for l := range nLang {
		out[l] = compile(x[l])
	}
	return &out
}

func compileAll4(xs []t4) []*[nLang]tmpl {
	out := make([]*[nLang]tmpl, len(xs))
	for i, x := range xs {
		out[i] = compile4(x)
	}
	return out
}

func compileAll(xs []string) []*tmpl {
	out := make([]*tmpl, len(xs))
	for i, x := range xs {
		t := compile(x)
		out[i] = &t
	}
	return out
}

type compiledTopic struct {
	text                 *topicText
	actions, facts, asks []*[nLang]tmpl
}

// compiled holds every phrase bank of text.go, compiled.
var compiled = func() (c struct {
	topics                                            []compiledTopic
	noteOpeners, noteSentences, noteClosers           []*[nLang]tmpl
	proposalOpeners, proposalSentences                []*[nLang]tmpl
	inputOpeners, inputSentences, inputClosers        []*[nLang]tmpl
	commentSentences, meetingSentences                []*[nLang]tmpl
	noteTitles, proposalTitles, inputTitles           []*[nLang]tmpl
	thematicTitle, dialogueTitle, subregionalFallback *[nLang]tmpl
	venues                                            [nLang][]*tmpl
	orgs                                              map[app.StakeholderCode][nLang][]*tmpl
}) {
	for i := range topicTexts {
		t := &topicTexts[i]
		c.topics = append(c.topics, compiledTopic{text: t, actions: compileAll4(t.actions), facts: compileAll4(t.facts), asks: compileAll4(t.asks)})
	}
	c.noteOpeners, c.noteSentences, c.noteClosers = compileAll4(noteOpeners), compileAll4(noteSentences), compileAll4(noteClosers)
	c.proposalOpeners, c.proposalSentences = compileAll4(proposalOpeners), compileAll4(proposalSentences)
	c.inputOpeners, c.inputSentences, c.inputClosers = compileAll4(inputOpeners), compileAll4(inputSentences), compileAll4(inputClosers)
	c.commentSentences, c.meetingSentences = compileAll4(commentSentences), compileAll4(meetingSentences)
	c.noteTitles, c.proposalTitles, c.inputTitles = compileAll4(noteTitles), compileAll4(proposalTitles), compileAll4(inputTitles)
	c.thematicTitle, c.dialogueTitle, c.subregionalFallback = compile4(thematicTitle), compile4(dialogueTitle), compile4(subregionalFallback)
	for l := range nLang {
		c.venues[l] = compileAll(venues[l])
	}
	c.orgs = map[app.StakeholderCode][nLang][]*tmpl{}
	for group, byLang := range orgNames {
		var x [nLang][]*tmpl
		for l := range nLang {
			x[l] = compileAll(byLang[l])
		}
		c.orgs[group] = x
	}
	return c
}()
