using System.Globalization;

namespace Tagflow.Bench;

/// <summary>
/// The contacts of the benchmark: worker w's k-th contact is <c>w{w}-{k}@bench.example</c>; the
/// automation runs' k-th is <c>a{k}@automations.bench.example</c>; the imported file's k-th is
/// <c>i{k}@import.bench.example</c>.
/// </summary>
internal static class Addresses
{
    public static string Of(int worker, int index) => string.Create(CultureInfo.InvariantCulture, $"w{worker}-{index}@bench.example");

    /// <summary>The k-th contact of the automation runs, on their own database.</summary>
    public static string OfAutomation(int index) => string.Create(CultureInfo.InvariantCulture, $"a{index}@automations.bench.example");

    /// <summary>The k-th contact of the imported file, on the import runs' own databases.</summary>
    public static string OfImport(long index) => string.Create(CultureInfo.InvariantCulture, $"i{index}@import.bench.example");

    /// <summary>A new value on every write, so an update always changes the row.</summary>
    public static string FirstName(long sequence) => string.Create(CultureInfo.InvariantCulture, $"A{sequence}");
}
