using Tagflow.Cli;

return await TagflowCommand.RunAsync(args);
