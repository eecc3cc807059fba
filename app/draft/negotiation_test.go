package draft

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// negotiate plays one round of amendments on a draft: paragraphs added
// anywhere, alternatives proposed, paragraphs deleted and moved, as
// decided amendments leave a draft before its revision.
func negotiate(rng *rand.Rand, paras []Para, round int) []Para {
	paras = slices.Clone(paras)
	for k := range 1 + rng.IntN(12) {
		id := fmt.Sprintf("r%d-%d", round, k)
		at := rng.IntN(len(paras) + 1)
		switch rng.IntN(5) {
		case 0: // a new paragraph
			paras = slices.Insert(paras, at, Para{ID: id, Part: Part(rng.IntN(2))})
		case 1: // an alternative, right after its original
			if at < len(paras) && !paras[at].Heading {
				paras = slices.Insert(paras, at+1, Para{ID: id, AltOf: paras[at].ID})
			}
		case 2, 3: // a deletion
			if at < len(paras) {
				paras[at].Deleted = true
			}
		case 4: // a move
			if at < len(paras) {
				p := paras[at]
				paras = slices.Delete(paras, at, at+1)
				paras = slices.Insert(paras, rng.IntN(len(paras)+1), p)
			}
		}
	}
	return paras
}

// zeroDraft is an imported draft of n paragraphs and a few headings.
func zeroDraft(rng *rand.Rand, n int, style Style) []Para {
	var paras []Para
	for i := range n {
		if rng.IntN(6) == 0 {
			paras = append(paras, head(fmt.Sprint("h", i)))
		}
		paras = append(paras, Para{ID: fmt.Sprint("p", i), Part: Part(rng.IntN(2))})
	}
	return Renumber(paras, style)
}

// TestNegotiationRounds plays several rounds of amendments and revisions
// on random drafts and checks what delegations rely on: every paragraph
// has a label of its own, a deletion changes no other label, an ID never
// changes, and a revision numbers from 1 without gaps.
func TestNegotiationRounds(t *testing.T) {
	rng := rand.New(rand.NewPCG(19, 40))
	for trial := range 200 {
		style := Style(trial % 2)
		paras := zeroDraft(rng, 1+rng.IntN(30), style)
		for round := range 4 {
			paras = negotiate(rng, paras, round)
			name := fmt.Sprintf("trial %d round %d (%v)", trial, round, style)
			checkDistinct(t, name, paras, style)
			checkDeletionStable(t, name, rng, paras, style)
			rev := Renumber(paras, style)
			checkRevision(t, name, paras, rev, style)
			paras = rev
		}
	}
}

func checkDistinct(t *testing.T, name string, paras []Para, style Style) {
	t.Helper()
	seen := map[string]string{}
	for i, l := range Number(paras, style) {
		if paras[i].Heading != !l.Numbered() {
			t.Fatalf("%s: paragraph %s (heading %v) labelled %q", name, paras[i].ID, paras[i].Heading, l)
		}
		if !l.Numbered() {
			continue
		}
		if other, dup := seen[l.String()]; dup {
			t.Fatalf("%s: %s and %s are both %q", name, other, paras[i].ID, l)
		}
		seen[l.String()] = paras[i].ID
	}
}

func checkDeletionStable(t *testing.T, name string, rng *rand.Rand, paras []Para, style Style) {
	t.Helper()
	if len(paras) == 0 {
		return
	}
	before := Number(paras, style)
	k := rng.IntN(len(paras))
	after := slices.Clone(paras)
	after[k].Deleted = true
	got := Number(after, style)
	for i := range got {
		want := before[i]
		if i == k {
			want.Deleted = true
		}
		if got[i] != want {
			t.Fatalf("%s: deleting %s changed %s from %v to %v", name, paras[k].ID, paras[i].ID, before[i], got[i])
		}
	}
}

func checkRevision(t *testing.T, name string, paras, rev []Para, style Style) {
	t.Helper()
	var kept []string
	for _, p := range paras {
		if !p.Deleted {
			kept = append(kept, p.ID)
		}
	}
	var ids []string
	for _, p := range rev {
		ids = append(ids, p.ID)
	}
	if !slices.Equal(ids, kept) {
		t.Fatalf("%s: the revision holds %v, want the paragraphs not deleted %v", name, ids, kept)
	}
	next := map[string]int{}
	for i, l := range Number(rev, style) {
		if l.Deleted || l.Added != 0 {
			t.Fatalf("%s: %s is %q after the revision", name, rev[i].ID, showLabel(l))
		}
		if l.Numbered() && l.Alt == 0 {
			next[l.Prefix]++
			if l.Number != next[l.Prefix] {
				t.Fatalf("%s: %s is %q after the revision, want %d", name, rev[i].ID, l, next[l.Prefix])
			}
		}
	}
	if again := Renumber(rev, style); !slices.Equal(again, rev) {
		t.Fatalf("%s: renumbering a revision changed it", name)
	}
}
