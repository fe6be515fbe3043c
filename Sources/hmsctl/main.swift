import HMSCtlCommands

HMSCtl.main()
