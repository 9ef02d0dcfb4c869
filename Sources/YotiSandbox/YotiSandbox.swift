// Module YotiSandbox.
