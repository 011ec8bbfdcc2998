using Tagflow.Cli;

return await TagflowCommand.Create().Parse(args).InvokeAsync();
