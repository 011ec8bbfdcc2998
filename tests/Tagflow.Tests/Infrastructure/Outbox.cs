namespace Tagflow.Tests.Infrastructure;

/// <summary>The outbox folder as a test reads it: its writer puts stored messages into files a moment after the commit.</summary>
internal static class Outbox
{
    /// <summary>The <c>.eml</c> files once there are at least <paramref name="count"/> (in name order, which is time order); fails after 10 s.</summary>
    public static async Task<IReadOnlyList<string>> FilesAsync(string directory, int count)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var files = Directory.Exists(directory) ? Directory.GetFiles(directory, "*.eml") : [];
            if (files.Length >= count) return [.. files.Order(StringComparer.Ordinal)];
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{files.Length} of {count} emails in {directory} after 10 s.");
            await Task.Delay(20);
        }
    }
}
