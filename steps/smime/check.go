package smime

import (
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
)

// Finding codes.
const (
	CodeAnswerInvalid       = steps.CodeAnswerInvalid
	CodeInternetNeedsTrust  = "internet-needs-trusted-certificates"
	CodeInternetNeedsSigned = "internet-needs-signed-exchange"
	CodeGALNeedsKMS         = "gal-needs-kms"
	CodeWeakAlgorithm       = "weak-default-algorithm"
)

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	internet := a.Is(QRecipients, RecipientsInternet)

	if internet && a.Is(QCertSource, SourceInternalCA) && a[QIssuingCA] != "" {
		ca, _ := in.Topology.Server(a[QIssuingCA])
		if !trustedOutside(in, ca) {
			fs = append(fs, steps.Finding{
				Code:     CodeInternetNeedsTrust,
				Severity: steps.Error,
				Message: "Users will mail the Internet, but their only certificates come from " + string(ca.Name) +
					", your own CA, which mail programs outside the organisation do not trust: recipients would see every signature as untrusted. " +
					"Give the users who mail the Internet a Digital ID from a publicly trusted CA as well (certificates from both), " +
					"or, if " + string(ca.Name) + " is subordinate to a third-party root, record that on its server page.",
				Fix:     []string{QCertSource, QRecipients, QIssuingCA},
				Servers: []string{string(ca.Name)},
			})
		}
	}
	exchange := a.Values(QKeyExchange)
	if internet && len(exchange) > 0 && !slices.Contains(exchange, ExchangeSignedMessage) {
		fs = append(fs, steps.Finding{
			Code:     CodeInternetNeedsSigned,
			Severity: steps.Warning,
			Message: "Correspondents on the Internet cannot look up your global address list, so the only way they get a user's public key " +
				"is a signed message from that user, which they add to their contacts (and the other way round). " +
				"Add that method, or record that users will not encrypt to the Internet.",
			Fix: []string{QKeyExchange},
		})
	}
	if slices.Contains(exchange, ExchangeGAL) && in.Of(kmsStepID).Is(kmsUse, "no") {
		fs = append(fs, steps.Finding{
			Code:     CodeGALNeedsKMS,
			Severity: steps.Error,
			Message: "Keys are to be found in the global address list through the Key Management Service, but the Key Management Service procedure says it will not be used. " +
				"Choose the signed-message method instead, or answer Yes there.",
			Fix: []string{QKeyExchange},
		})
	}
	if a.Is(QAlgorithm, AlgorithmRC240) {
		fs = append(fs, steps.Finding{
			Code:     CodeWeakAlgorithm,
			Severity: steps.Warning,
			Message: "With 40-bit RC2, a message can be decrypted by trying every possible key, which takes an ordinary computer little time. " +
				"Choose Triple DES unless a recipient's mail program cannot handle it, and record which one.",
			Fix: []string{QAlgorithm},
		})
	}
	return fs
}

// trustedOutside reports whether certificates issued by ca chain to a
// third-party root that Internet mail programs trust: either the CA's
// server page says so, or the Key Management Service procedure, using the
// same CA, answered that it is subordinate to a third-party CA.
func trustedOutside(in steps.Input, ca steps.Server) bool {
	if ca.CA.ThirdPartyRoot {
		return true
	}
	k := in.Of(kmsStepID)
	return k.Is(kmsUse, "yes") && strings.EqualFold(k[kmsCA], string(ca.Name)) && k.Is(kmsCAThirdParty, "yes")
}
