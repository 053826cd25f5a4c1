package smime

// KMSReferences exposes the names of the Key Management Service procedure's
// answers that this procedure reads, for the external test that checks them
// against that procedure.
var KMSReferences = struct{ StepID, Use, CA, CAThirdParty string }{kmsStepID, kmsUse, kmsCA, kmsCAThirdParty}
