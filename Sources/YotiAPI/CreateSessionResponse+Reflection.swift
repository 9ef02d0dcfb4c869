extension CreateSessionResponse: CustomReflectable {
    /// What `dump` and debuggers show: everything but the token.
    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "sessionID": sessionID, "clientSessionToken": "<redacted>",
                "clientSessionTokenTTL": clientSessionTokenTTL, "sessionDeadline": sessionDeadline as Any,
            ],
            displayStyle: .struct)
    }
}
