package replication

import (
	"context"
	"testing"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// TestOlderBuildWithoutDrafts: a laptop whose Consulta predates drafts
// (no FeatureDrafts; with or without the room feature) is not sent a
// draft, nor a decision on one, nor what their authors wrote after them,
// but keeps getting everything else; the others say it needs updating,
// and both sides see themselves even.
func TestOlderBuildWithoutDrafts(t *testing.T) {
	for _, tc := range []struct {
		name string
		old  Options
	}{{"version 3 as released", Options{oldBuild: true}}, {"with the room feature", Options{noDrafts: true}}} {
		t.Run(tc.name, func(t *testing.T) { olderBuild(t, tc.old) })
	}
}

func olderBuild(t *testing.T, old Options) {
	a := founder(t, "a") // the older build
	b, c := a.member("b"), a.member("c")
	b.notes(3, "antes") // before the draft: a gets them
	if _, err := b.svc.ImportDraft(app.NewDraft{Title: "Plan de Acción", Blocks: []app.DraftBlock{
		{Level: 1, Text: "Capítulo I"}, {Text: "Fortalecer los sistemas de asilo."}}}, "Secretaría"); err != nil {
		t.Fatal(err)
	}
	b.notes(2, "después") // after it, in b's chain: held back from a
	d, err := b.svc.DraftDocs()
	if err != nil {
		t.Fatal(err)
	}
	text, _ := b.svc.ReadDraft(d[0].ID)
	am, err := b.svc.Amend(text.Paragraphs[1].ID, app.Amendment{Action: app.ActionModify, Text: "Otro texto.", Org: "Chile"})
	if err != nil {
		t.Fatal(err)
	}
	// c gets the amendment, writes a note, then decides it: a decision is
	// only a status, one older builds do not know.
	c.notes(4, "c")
	pipeSync(t, b, c, Options{})
	if err := c.svc.Decide(am, app.Decision{Status: app.StatusNotRetained}); err != nil {
		t.Fatal(err)
	}
	c.notes(1, "c después")

	_, addrA := a.serve(old)
	rb, addrB := b.serve(Options{Peers: []string{addrA}, MinPeers: 1})
	c.serve(Options{Peers: []string{addrA}, MinPeers: 1})
	waitFor(t, 10*time.Second, "a did not get what it can read", func() bool { return a.count() == 3+4 })
	va, vb := a.vector(), b.vector()
	if dev := b.svc.Device(); va[dev] >= vb[dev] {
		t.Fatalf("a holds %d of b's %d operations", va[dev], vb[dev])
	}
	if ds, err := a.svc.DraftDocs(); err != nil || len(ds) != 0 {
		t.Fatalf("the older build holds drafts: %v %v", ds, err)
	}
	evenBoth := func() bool {
		for _, r := range []*Service{rb} {
			peers, err := r.Peers()
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range peers {
				if p.Device == a.svc.Device() && !(p.Connected && p.Outdated && p.Pending == 0) {
					return false
				}
			}
		}
		return true
	}
	waitFor(t, 5*time.Second, "b does not see itself even with a, or does not say a needs updating", evenBoth)
	// The older laptop sees itself even too: a sync of its own ends.
	ra := a.replicator(old)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := ra.SyncOnce(ctx, []string{addrB}); err != nil {
		t.Fatalf("the older laptop's sync did not end even: %v", err)
	}
	if !contains(b.log.String(), "older Consulta that cannot read drafts") {
		t.Errorf("b's log does not say why:\n%s", b.log)
	}
	if contains(a.log.String(), "misbehaving") || contains(b.log.String(), "misbehaving") || contains(c.log.String(), "misbehaving") {
		t.Errorf("a drafting operation reached the older build:\n%s\n%s", a.log, b.log)
	}
}
