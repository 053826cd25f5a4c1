package smtprelay

// References exposes the names of the other SMTP procedures' answers that
// this procedure reads, for the external test that checks them.
var References = struct {
	PublishID, PublishTo, PublishToGateway, PublishToScreener, PublishToExchange string
	PublishExchange, PublishGateway, PublishScreener, PublishSMTPAuth            string
	PublishMXAddress                                                             string
	ScreenerID, ScreenerUse, ScreenerHost, ScreenerInstance                      string
	GatewayID, GatewayUse, GatewayHost, GatewayDeliversTo, GatewayToExchange     string
	GatewayExchange, GatewayOutbound, GatewayOutboundFrom, GatewayInstance       string
}{
	publishID, publishTo, publishToGateway, publishToScreener, publishToExchange,
	publishExchange, publishGateway, publishScreener, publishSMTPAuth,
	publishMXAddress,
	screenerID, screenerUse, screenerHost, screenerInstance,
	gatewayID, gatewayUse, gatewayHost, gatewayDeliversTo, gatewayToExchange,
	gatewayExchange, gatewayOutbound, gatewayOutboundFrom, gatewayInstance,
}
