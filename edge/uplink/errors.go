package uplink

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/eclipse/paho.mqtt.golang/packets"
)

// describe turns a connection error into a sentence a staff member can act
// on, naming the config key to check.
func describe(err error, cfg Config) string {
	if err == nil {
		return ""
	}
	host := cfg.Broker
	if u, perr := url.Parse(cfg.Broker); perr == nil && u.Host != "" {
		host = u.Host
	}
	var (
		cfgErr     *configError
		unknownCA  x509.UnknownAuthorityError
		hostErr    x509.HostnameError
		invalid    x509.CertificateInvalidError
		alert      tls.AlertError
		recordErr  tls.RecordHeaderError
		dnsErr     *net.DNSError
		netErr     net.Error
		verifyErr  *tls.CertificateVerificationError
		wrongCreds = errors.Is(err, packets.ErrorRefusedBadUsernameOrPassword)
	)
	switch {
	case errors.As(err, &cfgErr):
		return cfgErr.msg
	case wrongCreds:
		return "wrong username or password: the broker refused mqtt.username with the password in mqtt.password_file"
	case errors.Is(err, packets.ErrorRefusedNotAuthorised):
		if cfg.Username == "" {
			return "the broker requires a login: set mqtt.username and mqtt.password_file"
		}
		return "wrong username or password (the broker says not authorised): check mqtt.username and mqtt.password_file"
	case errors.Is(err, packets.ErrorRefusedIDRejected):
		return fmt.Sprintf("the broker rejected the client id %s", ClientID(cfg.Site, cfg.Device))
	case errors.Is(err, packets.ErrorRefusedServerUnavailable):
		return "the broker at " + host + " says it is unavailable"
	case errors.As(err, &unknownCA):
		if cfg.CAFile != "" {
			return "the broker's certificate is not signed by mqtt.ca_file (" + cfg.CAFile + ")"
		}
		return "the broker's certificate is not signed by a CA this system trusts: set mqtt.ca_file"
	case errors.As(err, &hostErr):
		return fmt.Sprintf("the broker's certificate is not valid for %s: %v", hostErr.Host, hostErr)
	case errors.As(err, &invalid):
		return "the broker's certificate is not valid: " + invalid.Error()
	case errors.As(err, &verifyErr):
		return "the broker's certificate cannot be verified: " + verifyErr.Err.Error()
	case errors.As(err, &alert) || strings.Contains(err.Error(), "remote error: tls: "):
		// A TLS alert from the broker (over TCP Go reports it only as text).
		msg := err.Error()
		if i := strings.Index(msg, "remote error: "); i >= 0 {
			msg = msg[i:]
		}
		if strings.Contains(msg, "certificate") {
			if cfg.CertFile == "" {
				return "the broker requires a client certificate: set mqtt.cert_file and mqtt.key_file (" + msg + ")"
			}
			return "the broker refused our client certificate mqtt.cert_file (" + msg + ")"
		}
		return "TLS with the broker at " + host + " failed: " + msg
	case errors.As(err, &recordErr):
		return "the broker at " + host + " does not speak TLS: use tcp:// or the broker's TLS port"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "cannot reach broker at " + host + ": connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return "cannot reach broker at " + host + ": no route to host"
	case errors.As(err, &dnsErr):
		return "cannot reach broker at " + host + ": unknown host " + dnsErr.Name
	case errors.As(err, &netErr) && netErr.Timeout():
		return "cannot reach broker at " + host + ": timed out"
	case errors.Is(err, errLost):
		return "lost the connection to the broker at " + host + ": " + strings.TrimPrefix(err.Error(), errLost.Error()+": ")
	case errors.Is(err, context.DeadlineExceeded):
		return "cannot reach broker at " + host + ": timed out"
	}
	msg := err.Error()
	if strings.Contains(msg, "EOF") || strings.Contains(msg, "connection reset") {
		s := "the broker at " + host + " closed the connection during the handshake (" + msg + ")"
		if isTLS(cfg.Broker) && cfg.CertFile == "" {
			// With TLS 1.3 a missing client certificate shows up this way.
			s += "; if it requires a client certificate, set mqtt.cert_file and mqtt.key_file"
		}
		return s
	}
	return "broker " + host + ": " + msg
}

func isTLS(broker string) bool {
	scheme, _, _ := strings.Cut(strings.ToLower(broker), "://")
	return scheme == "ssl" || scheme == "tls" || scheme == "mqtts"
}
