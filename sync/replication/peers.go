package replication

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"sort"

	"github.com/cartagena-c40/consulta/app"
	"github.com/cartagena-c40/consulta/sync/transport"
)

// Local settings of this laptop (never synced).
const (
	settingKey   = "sync.key"        // the transport key's seed, base64
	settingOwner = "sync.key.device" // the device the transport key was made for
	settingPeers = "sync.peers"      // remembered peers, JSON
)

// Peer is a peer this laptop has synced with, as remembered between runs.
type Peer = app.Peer

// RememberedPeers returns the peers svc's laptop has synced with, most
// recently seen first.
func RememberedPeers(svc *app.Service) ([]Peer, error) {
	m, err := loadPeers(svc)
	if err != nil {
		return nil, err
	}
	out := make([]Peer, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].LastSeen.After(out[j].LastSeen) })
	return out, nil
}

func loadPeers(svc *app.Service) (map[string]Peer, error) {
	m := map[string]Peer{}
	s := svc.Setting(settingPeers)
	if s == "" {
		return m, nil
	}
	var list []Peer
	if err := json.Unmarshal([]byte(s), &list); err != nil {
		return m, nil // a damaged list is forgotten, not fatal
	}
	for _, p := range list {
		m[p.ID] = p
	}
	return m, nil
}

func savePeers(svc *app.Service, m map[string]Peer) error {
	list := make([]Peer, 0, len(m))
	for _, p := range m {
		p.Connected = false
		list = append(list, p)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return svc.SetSetting(settingPeers, string(b))
}

// transportKey returns this laptop's transport key, creating it the first
// time. A key is made for one device: a data directory restored from a
// backup writes as a new device (storage.Restore) but holds the settings of
// the laptop the backup came from, which may still be in use; with its key
// the two would connect as one peer (refused as a duplicate, or as
// ourselves). So a key made for another device is replaced.
func transportKey(svc *app.Service) (ed25519.PrivateKey, error) {
	dev := string(svc.Device())
	if s := svc.Setting(settingKey); s != "" {
		owner := svc.Setting(settingOwner)
		if owner == "" { // made before keys named their device: this one's
			if err := svc.SetSetting(settingOwner, dev); err != nil {
				return nil, err
			}
			owner = dev
		}
		if owner == dev {
			seed, err := base64.StdEncoding.DecodeString(s)
			if err == nil && len(seed) == ed25519.SeedSize {
				return ed25519.NewKeyFromSeed(seed), nil
			}
			return nil, errors.New("the stored sync key is damaged")
		}
	}
	k, err := transport.NewKey()
	if err != nil {
		return nil, err
	}
	if err := svc.SetSetting(settingKey, base64.StdEncoding.EncodeToString(k.Seed())); err != nil {
		return nil, err
	}
	if err := svc.SetSetting(settingOwner, dev); err != nil {
		return nil, err
	}
	return k, nil
}
