// Module YotiAPI.
