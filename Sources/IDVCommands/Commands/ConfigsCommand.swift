import ArgumentParser

/// `idv-batch configs`: named session configurations.
package struct ConfigsCommand: AsyncParsableCommand {
    package static let configuration = CommandConfiguration(
        commandName: "configs",
        abstract: "Store and list named session configurations, locally and with Yoti Sign.",
        discussion: """
            A named configuration is a full Yoti session spec stored in idv.session_configs. Rows with that \
            config_name start from it (their session_spec is a merge patch over it); the stored copy is what \
            they use, read at the start of each run.
            """,
        subcommands: [ConfigsPushCommand.self, ConfigsListCommand.self]
    )

    /// The command group; ArgumentParser picks the subcommand.
    package init() {}
}
