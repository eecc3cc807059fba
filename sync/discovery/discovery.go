package discovery

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/mdns"
)

// Service is the DNS-SD service type.
const Service = "_consulta._tcp"

// Tag returns the TXT tag that identifies a workspace without revealing it:
// 16 hex digits of an HMAC keyed by its join key (the first keySize bytes
// of the secret).
func Tag(workspace string, secret []byte, keySize int) string {
	if len(secret) > keySize {
		secret = secret[:keySize]
	}
	h := hmac.New(sha256.New, secret)
	h.Write([]byte("consulta discovery\x00"))
	h.Write([]byte(workspace))
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Config configures an Announcer.
type Config struct {
	Tag      string // the workspace tag, from Tag
	Instance string // this laptop's instance name (its peer id)
	Port     int    // the TCP port it accepts peers on; 0: browse only
	// Found is called with host:port of each laptop of the workspace seen,
	// possibly this one and possibly many times.
	Found func(addr string)
	// Browse is how often to look for peers; zero means 10 s.
	Browse time.Duration
	Log    *slog.Logger
}

// Serve announces this laptop (when Port is set) and browses for others
// until ctx is cancelled. It re-announces when the addresses of the
// network interfaces change.
func (c *Config) Serve(ctx context.Context) error {
	if c.Browse <= 0 {
		c.Browse = 10 * time.Second
	}
	lg := c.Log
	if lg == nil {
		lg = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var srv *mdns.Server
	var ips []net.IP
	var zoneNow *mdns.MDNSService
	announce := func() {
		cur := localIPs()
		if srv != nil && slices.EqualFunc(cur, ips, net.IP.Equal) {
			return
		}
		if srv != nil {
			srv.Shutdown()
			srv = nil
		}
		ips = cur
		if c.Port == 0 || len(ips) == 0 {
			return
		}
		zone, err := mdns.NewMDNSService(c.Instance, Service, "", hostName(), c.Port, ips, []string{"v=1", "ws=" + c.Tag})
		if err != nil {
			lg.Warn("mdns: cannot describe service", "err", err)
			return
		}
		srv, err = mdns.NewServer(&mdns.Config{Zone: zone, Logger: quietLogger()})
		if err != nil {
			lg.Warn("mdns: cannot announce", "err", err)
			return
		}
		lg.Info("announcing on the local network", "service", Service, "port", c.Port, "addrs", ips)
		zoneNow = zone
		c.announceNow(zoneNow, lg)
	}
	announce()
	defer func() {
		if srv != nil {
			srv.Shutdown()
		}
	}()
	ifaces := time.NewTicker(5 * time.Second)
	defer ifaces.Stop()
	again := time.NewTicker(60 * time.Second)
	defer again.Stop()
	browse := time.NewTimer(0)
	defer browse.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-ifaces.C:
			announce()
		case <-again.C:
			c.announceNow(zoneNow, lg)
		case <-browse.C:
			addrs, err := Browse(ctx, c.Tag, 2*time.Second)
			if err != nil && ctx.Err() == nil {
				lg.Debug("mdns browse", "err", err)
			}
			for _, a := range addrs {
				if c.Found != nil {
					c.Found(a)
				}
			}
			browse.Reset(c.Browse)
		}
	}
}

// Browse looks for laptops of the workspace tagged tag for timeout and
// returns their addresses (host:port).
func Browse(ctx context.Context, tag string, timeout time.Duration) ([]string, error) {
	entries := make(chan *mdns.ServiceEntry, 64)
	done := make(chan []string)
	go func() {
		var out []string
		for e := range entries {
			if !slices.Contains(e.InfoFields, "ws="+tag) || e.Port == 0 {
				continue
			}
			var host string
			switch {
			case e.AddrV4 != nil:
				host = e.AddrV4.String()
			case e.AddrV6IPAddr != nil:
				host = e.AddrV6IPAddr.String()
			default:
				continue
			}
			a := net.JoinHostPort(host, strconv.Itoa(e.Port))
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
		done <- out
	}()
	err := mdns.QueryContext(ctx, &mdns.QueryParam{
		Service: Service, Domain: "local", Timeout: timeout, Entries: entries,
		DisableIPv6: true, Logger: quietLogger(),
	})
	close(entries)
	return <-done, err
}

// localIPs returns the addresses of the interfaces that are up, loopback
// excluded unless it is all there is, sorted.
func localIPs() []net.IP {
	var out, loop []net.IP
	ifs, _ := net.Interfaces()
	for _, ifc := range ifs {
		if ifc.Flags&net.FlagUp == 0 {
			continue
		}
		addrs, _ := ifc.Addrs()
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			if !ok || n.IP.IsLinkLocalUnicast() {
				continue
			}
			if n.IP.IsLoopback() {
				loop = append(loop, n.IP)
			} else {
				out = append(out, n.IP)
			}
		}
	}
	if len(out) == 0 {
		out = loop
	}
	slices.SortFunc(out, func(a, b net.IP) int { return strings.Compare(a.String(), b.String()) })
	return out
}

func hostName() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		h = "consulta"
	}
	h = strings.TrimSuffix(h, ".local")
	return h + ".local."
}

// quietLogger drops hashicorp/mdns's chatter ("[INFO] mdns: Closing client").
func quietLogger() *log.Logger { return log.New(io.Discard, "", 0) }

func (c *Config) announceNow(zone *mdns.MDNSService, lg *slog.Logger) {
	if zone == nil {
		return
	}
	if err := announce(zone, Service); err != nil {
		lg.Debug("mdns: unsolicited announcement failed", "err", err)
	}
}
