package screener

// GatewayReferences exposes the names of the gateway procedure's answers
// this procedure reads, for the external test that checks them.
var GatewayReferences = struct{ ID, Use, Host, Delivers, ToScreener, Screener, Instance string }{
	gatewayID, gatewayUse, gatewayHost, gatewayDelivers, gatewayToScr, gatewayScreener, gatewayInstance,
}
