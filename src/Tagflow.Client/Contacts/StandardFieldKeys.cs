namespace Tagflow.Client;

/// <summary>The keys of the 16 standard data fields every account has. Custom fields are <c>field&lt;ID&gt;</c>.</summary>
public static class StandardFieldKeys
{
    /// <summary>First name (line).</summary>
    public const string FirstName = "fieldFirstName";
    /// <summary>Last name (line).</summary>
    public const string LastName = "fieldLastName";
    /// <summary>Company name (line).</summary>
    public const string CompanyName = "fieldCompanyName";
    /// <summary>Street, first line (line).</summary>
    public const string Street1 = "fieldStreet1";
    /// <summary>Street, second line (line).</summary>
    public const string Street2 = "fieldStreet2";
    /// <summary>City (line).</summary>
    public const string City = "fieldCity";
    /// <summary>State (line).</summary>
    public const string State = "fieldState";
    /// <summary>ZIP code (line).</summary>
    public const string Zip = "fieldZip";
    /// <summary>Country (line).</summary>
    public const string Country = "fieldCountry";
    /// <summary>Private phone (line).</summary>
    public const string PrivatePhone = "fieldPrivatePhone";
    /// <summary>Mobile phone (line).</summary>
    public const string MobilePhone = "fieldMobilePhone";
    /// <summary>Phone (line).</summary>
    public const string Phone = "fieldPhone";
    /// <summary>Fax (line).</summary>
    public const string Fax = "fieldFax";
    /// <summary>Website (URL).</summary>
    public const string Website = "fieldWebsite";
    /// <summary>Birthday (date).</summary>
    public const string Birthday = "fieldBirthday";
    /// <summary>Lead value (decimal).</summary>
    public const string LeadValue = "fieldLeadValue";
}
