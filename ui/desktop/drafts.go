package desktop

import (
	"encoding/json"
	"sync"
	"time"

	"github.com/cartagena-c40/consulta/app"
)

// draftDelay is how long typing may go unsaved: a draft reaches storage at
// most this long after the first keystroke since the last save.
const draftDelay = time.Second

// draftRetry is how long a draft the disk had no room for waits before it
// is tried again.
const draftRetry = 5 * time.Second

// draftSaver writes drafts off the UI goroutine, at most one write per
// draft per draftDelay, in the order they were made.
type draftSaver struct {
	svc     *app.Service
	onError func(error)
	// onFull is told instead of onError when the disk has no room: the
	// draft is kept and tried again, and the banner says why.
	onFull func(error)

	mu      sync.Mutex
	pending map[string]string
	timer   *time.Timer

	flushMu sync.Mutex // one flush at a time, so writes keep their order
}

func newDraftSaver(svc *app.Service, onError func(error)) *draftSaver {
	return &draftSaver{svc: svc, onError: onError, pending: map[string]string{}}
}

// put schedules text to be saved as draft name; "" deletes it.
func (d *draftSaver) put(name, text string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pending[name] = text
	if d.timer == nil {
		d.timer = time.AfterFunc(draftDelay, d.flush)
	}
}

// flush writes every pending draft now.
func (d *draftSaver) flush() {
	d.flushMu.Lock()
	defer d.flushMu.Unlock()
	d.mu.Lock()
	p := d.pending
	d.pending = map[string]string{}
	if d.timer != nil {
		d.timer.Stop()
		d.timer = nil
	}
	d.mu.Unlock()
	for name, text := range p {
		err := d.svc.SaveDraft(name, text)
		if app.KindOf(err) == app.DiskFull {
			d.retry(name, text)
			if d.onFull != nil {
				d.onFull(err)
			}
			continue
		}
		if err != nil && d.onError != nil {
			d.onError(err)
		}
	}
}

// retry puts a draft the disk refused back, unless a newer one was put
// meanwhile, and tries again after draftRetry.
func (d *draftSaver) retry(name, text string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, newer := d.pending[name]; !newer {
		d.pending[name] = text
	}
	if d.timer == nil {
		d.timer = time.AfterFunc(draftRetry, d.flush)
	}
}

// formState is what a form holds, as saved in a draft.
type formState struct {
	name        string
	Kind        app.Kind  `json:"kind"`
	EditID      string    `json:"edit_id,omitempty"`
	ReplyTo     string    `json:"reply_to,omitempty"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	Meeting     string    `json:"meeting,omitempty"`
	SubRegion   string    `json:"subregion,omitempty"`
	Country     string    `json:"country,omitempty"`
	Themes      []string  `json:"themes,omitempty"`
	Stakeholder string    `json:"stakeholder,omitempty"`
	Populations []string  `json:"populations,omitempty"`
	Tags        []string  `json:"tags,omitempty"`
	Author      string    `json:"author,omitempty"`
	Org         string    `json:"org,omitempty"`
	Lang        string    `json:"lang,omitempty"`
	Venue       string    `json:"venue,omitempty"`
	Date        string    `json:"date,omitempty"`
	Status      string    `json:"status,omitempty"`
	Sensitive   bool      `json:"sensitive,omitempty"`
	Saved       time.Time `json:"saved"`
}

func (s *formState) encode() string {
	b, _ := json.Marshal(s)
	return string(b)
}

func decodeFormState(text string) (*formState, error) {
	var s formState
	if err := json.Unmarshal([]byte(text), &s); err != nil {
		return nil, err
	}
	if _, err := app.ParseKind(string(s.Kind)); err != nil {
		return nil, err
	}
	return &s, nil
}
