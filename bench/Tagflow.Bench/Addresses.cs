using System.Globalization;

namespace Tagflow.Bench;

/// <summary>The contacts of the benchmark: worker w's k-th contact is <c>w{w}-{k}@bench.example</c>.</summary>
internal static class Addresses
{
    public static string Of(int worker, int index) => string.Create(CultureInfo.InvariantCulture, $"w{worker}-{index}@bench.example");

    /// <summary>A new value on every write, so an update always changes the row.</summary>
    public static string FirstName(long sequence) => string.Create(CultureInfo.InvariantCulture, $"A{sequence}");
}
