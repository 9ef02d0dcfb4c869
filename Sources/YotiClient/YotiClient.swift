// Module YotiClient.
