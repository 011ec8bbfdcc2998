using System.Globalization;
using System.Runtime.InteropServices;

namespace Tagflow.Bench;

/// <summary>What the figures were measured on.</summary>
internal sealed record Machine(int Cores, string Cpu, long MemoryBytes, string Kernel, string Runtime, string FileSystem)
{
    public static Machine Describe(string dataDirectory) => new(
        Environment.ProcessorCount,
        Field("/proc/cpuinfo", "model name") ?? "unknown",
        1024 * long.Parse((Field("/proc/meminfo", "MemTotal") ?? "0").Split(' ')[0], CultureInfo.InvariantCulture),
        Read("/proc/sys/kernel/osrelease") ?? RuntimeInformation.OSDescription,
        RuntimeInformation.FrameworkDescription,
        FileSystemOf(Path.GetFullPath(dataDirectory)));

    public bool IsTmpfs => FileSystem.StartsWith("tmpfs", StringComparison.Ordinal);

    private static string? Field(string path, string name) =>
        File.ReadLines(path).Where(l => l.StartsWith(name, StringComparison.Ordinal))
            .Select(l => l[(l.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim()).FirstOrDefault();

    private static string? Read(string path) => File.Exists(path) ? File.ReadAllText(path).Trim() : null;

    /// <summary>The file system type of the mount that holds the path, and its mount point.</summary>
    private static string FileSystemOf(string path)
    {
        var mount = File.ReadLines("/proc/self/mounts")
            .Select(l => l.Split(' '))
            .Where(f => f.Length >= 3 && IsUnder(path, f[1].Replace("\\040", " ", StringComparison.Ordinal)))
            .MaxBy(f => f[1].Length);
        return mount is null ? "unknown" : $"{mount[2]} ({mount[0]} on {mount[1]})";
    }

    private static bool IsUnder(string path, string mountPoint) =>
        mountPoint == "/" || path == mountPoint || path.StartsWith(mountPoint + "/", StringComparison.Ordinal);
}
