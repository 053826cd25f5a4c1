package smtprelay

// The answers of the other SMTP procedures that this one reads. Those
// procedures import this package for its relay rules and scripts, so the
// names cannot be imported from them; a test in this package's external
// test files checks every one against the procedure it belongs to.
const (
	publishID         = "smtp-isa-publishing"
	publishTo         = "published-to"
	publishToGateway  = "gateway"
	publishToScreener = "screener"
	publishToExchange = "exchange"
	publishExchange   = "published-exchange"
	publishGateway    = "published-gateway"
	publishScreener   = "published-screener"
	publishSMTPAuth   = "smtp-auth"
	publishMXAddress  = "mx-address"

	screenerID        = "smtp-message-screener"
	screenerUse       = "use-screener"
	screenerHost      = "screener-host"
	screenerInstance  = "smtp-instance"
	screenerDeliverTo = "deliver-to"

	gatewayID           = "smtp-gateway"
	gatewayUse          = "use-gateway"
	gatewayHost         = "gateway"
	gatewayDeliversTo   = "delivers-to"
	gatewayToExchange   = "exchange"
	gatewayExchange     = "deliver-exchange"
	gatewayOutbound     = "outbound"
	gatewayOutboundFrom = "outbound-servers"
	gatewayInstance     = "smtp-instance"
)
