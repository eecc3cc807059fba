package discovery

import (
	"net"

	"github.com/hashicorp/mdns"
	"github.com/miekg/dns"
)

// mdnsGroup is the IPv4 multicast group of mDNS.
var mdnsGroup = &net.UDPAddr{IP: net.IPv4(224, 0, 0, 251), Port: 5353}

// announce multicasts the zone's records unsolicited (RFC 6762 section
// 8.3), from port 5353 as responders must. hashicorp/mdns only answers
// queries, and by unicast, which some browsers (avahi on the same host)
// drop; an announcement reaches every cache on the link.
func announce(zone *mdns.MDNSService, service string) error {
	q := dns.Question{Name: service + ".local.", Qtype: dns.TypePTR, Qclass: dns.ClassINET}
	msg := &dns.Msg{MsgHdr: dns.MsgHdr{Response: true, Authoritative: true}, Compress: true, Answer: zone.Records(q)}
	buf, err := msg.Pack()
	if err != nil {
		return err
	}
	c, err := listenShared()
	if err != nil {
		return err
	}
	defer c.Close()
	_, err = c.WriteTo(buf, mdnsGroup)
	return err
}
