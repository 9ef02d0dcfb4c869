import ArgumentParser

/// `idv-batch notifications`: Yoti's notifications about sessions.
package struct NotificationsCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "notifications",
        abstract: "Receive the notifications Yoti posts about sessions (serve).",
        discussion: """
            Yoti posts a small notification (which session, which topic) to the session spec's \
            notifications.endpoint when something happens to a session. `notifications serve` stores each \
            one once in idv.notifications, where `idv-batch sync` finds the sessions to fetch first.
            """,
        subcommands: [NotificationsServeCommand.self]
    )

    /// The command group; ArgumentParser picks the subcommand.
    package init() {}
}
