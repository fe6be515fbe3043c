import HMSCtlCommands

// The command lives in a library so tests can reach it; this makes it the program's entry point.
@main
extension HMSCtl {}
