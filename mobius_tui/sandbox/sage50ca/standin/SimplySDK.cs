// Stand-in for the Sage 50 Canada SDK (Sage_SA.SDK.dll): the namespaces, classes and members the bridge
// uses, with the rules reference/sage50ca.md lists, writing the sandbox company tables on MariaDB the way
// Sage 50 would. Built with Mono's mcs; opened through the sandbox .SAI file, which names the database.
//
// Rules enforced: SelectTransType first; 1-based lines; a name that does not resolve gives an id <= 0; a
// used invoice number is refused ("invoice number has already been used"); after a failed Save/Post every
// later call fails ("Sage 50 will now shut down"); alerts go to the SDKAlert set before OpenDatabase.
//
// Faults for tests (sandbox only): MOBIUS_S50_STANDIN_FAULTS="hang:<doc>,false:<doc>,exit:<doc>,ask:<doc>"
// hang: Post waits forever before committing; false: Post commits and returns false; exit: the process
// ends right after the commit; ask: Post asks a question (AskAlert) and posts only on YES.
using System;
using System.Collections.Generic;
using System.Data.Odbc;
using System.Globalization;
using System.IO;
using System.Threading;
using Simply.Domain.Utility;
using SimplySDK.Support;

namespace Simply.Domain.Utility
{
    public class SimplyMessage
    {
        public SimplyMessage(string message) { Message = message; }
        public string Message { get; private set; }
    }
}

namespace SimplySDK.Support
{
    public enum AlertResult { YES, NO, CANCEL }

    public class SDKAlert
    {
        public virtual AlertResult AskAlert(SimplyMessage message) { throw new AlertNotImplementedException(message.Message); }
        public virtual AlertResult AskSaveAlert() { throw new AlertNotImplementedException("Save changes?"); }
        public virtual AlertResult YNCAlert(SimplyMessage message) { throw new AlertNotImplementedException(message.Message); }
        public virtual void StopAlert(SimplyMessage message) { throw new SimplyErrorMessageException(message.Message); }
        public virtual bool StopAlertNotShow(SimplyMessage message) { throw new SimplyErrorMessageException(message.Message); }
    }

    public class SDKException : Exception { public SDKException(string m) : base(m) { } }
    public class SimplyNoAccessException : SDKException
    {
        public SimplyNoAccessException() : base("This field is not available.") { }
        public SimplyNoAccessException(string m) : base(m) { }
    }
    public class InvalidEntryException : SDKException { public InvalidEntryException(string m) : base(m) { } }
    public class SimplyErrorMessageException : SDKException { public SimplyErrorMessageException(string m) : base(m) { } }
    public class AlertNotImplementedException : SDKException { public AlertNotImplementedException(string m) : base(m) { } }

    // The company connection and the rules every ledger and journal shares.
    internal static class Company
    {
        public static OdbcConnection Conn;
        public static SDKAlert Alert = new SDKAlert();
        public static bool Poisoned;
        public static int AccountLength = 4;
        public static string Faults = Environment.GetEnvironmentVariable("MOBIUS_S50_STANDIN_FAULTS") ?? "";

        public static void Guard()
        {
            if (Conn == null) throw new SDKException("No company is open.");
            if (Poisoned) throw new SDKException("An earlier error left the session unusable. Sage 50 will now shut down.");
        }

        public static bool Fault(string kind, string doc)
        {
            foreach (string f in Faults.Split(','))
                if (f == kind + ":" + doc) return true;
            return false;
        }

        public static object Scalar(OdbcTransaction tx, string sql, params object[] args)
        {
            using (OdbcCommand cmd = Command(tx, sql, args)) { object v = cmd.ExecuteScalar(); return v == DBNull.Value ? null : v; }
        }

        public static int Exec(OdbcTransaction tx, string sql, params object[] args)
        {
            using (OdbcCommand cmd = Command(tx, sql, args)) return cmd.ExecuteNonQuery();
        }

        public static List<object[]> Rows(OdbcTransaction tx, string sql, params object[] args)
        {
            List<object[]> rows = new List<object[]>();
            using (OdbcCommand cmd = Command(tx, sql, args))
            using (OdbcDataReader r = cmd.ExecuteReader())
                while (r.Read()) { object[] row = new object[r.FieldCount]; r.GetValues(row); rows.Add(row); }
            return rows;
        }

        static OdbcCommand Command(OdbcTransaction tx, string sql, object[] args)
        {
            OdbcCommand cmd = Conn.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            foreach (object a in args) cmd.Parameters.AddWithValue("p" + cmd.Parameters.Count, a ?? DBNull.Value);
            return cmd;
        }

        public static int NextId(OdbcTransaction tx, string table, string column)
        {
            object v = Scalar(tx, "SELECT COALESCE(MAX(" + column + "), 0) + 1 FROM " + table);
            return Convert.ToInt32(v);
        }

        // tAccount.lId of an account as the user types it (the company's number of digits).
        public static int AccountId(string number)
        {
            string digits = (number ?? "").Trim();
            int n;
            if (digits.Length != AccountLength || !int.TryParse(digits, out n))
                throw new InvalidEntryException("Invalid account number: " + number);
            return int.Parse(digits.PadRight(8, '0').Substring(0, 8));
        }

        public static void RequirePostable(OdbcTransaction tx, int lid, string shown)
        {
            object f = Scalar(tx, "SELECT cFunc FROM taccount WHERE lId = ? AND bInactive = 0", lid);
            if (f == null || (f.ToString() != "L" && f.ToString() != "R"))
                throw new InvalidEntryException("The account " + shown + " does not exist or cannot be posted to.");
        }

        // dAmount is relative to the account's section: debit positive for 1/5-9xxx, credit positive for 2/3/4xxx.
        public static decimal Signed(int lid, decimal debit)
        {
            char section = lid.ToString().PadLeft(8, '0')[0];
            return (section == '2' || section == '3' || section == '4') ? -debit : debit;
        }

        public static DateTime ParseDate(string text)
        {
            DateTime d;
            string[] formats = { "yyyy-MM-dd", "MMM d, yyyy", "dd/MM/yyyy", "MM-dd-yyyy" };
            if (!DateTime.TryParseExact(text, formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out d))
                throw new InvalidEntryException("Invalid date: " + text);
            return d;
        }

        public static decimal Money(double value) { return Math.Round((decimal)value, 2, MidpointRounding.AwayFromZero); }
    }

    public abstract class LedgerBase
    {
        protected bool isNew;
        public virtual void InitializeNew() { Company.Guard(); isNew = true; }
        public virtual void Undo() { isNew = false; }
        public bool CanModifyLedger { get { return true; } }

        public bool Save()
        {
            Company.Guard();
            if (!isNew) throw new SimplyNoAccessException("Call InitializeNew() first.");
            OdbcTransaction tx = Company.Conn.BeginTransaction();
            try
            {
                Write(tx);
                tx.Commit();
                isNew = false;
                return true;
            }
            catch
            {
                try { tx.Rollback(); } catch { }
                Company.Poisoned = true;
                throw;
            }
        }

        protected abstract void Write(OdbcTransaction tx);
    }

    public abstract class APARLedgerBase : LedgerBase
    {
        public string Name = "", Contact = "", Street1 = "", Street2 = "", City = "", Province = "", PostalCode = "",
            Country = "", Phone1 = "", Phone2 = "", Fax = "", Email = "", WebSite = "", CurrencyCode = "";
        protected abstract string Table { get; }
        protected abstract int DuplicateMessage { get; }

        public bool LoadByName(string name)
        {
            Company.Guard();
            return Company.Scalar(null, "SELECT lId FROM " + Table + " WHERE sName = ?", name) != null;
        }

        protected override void Write(OdbcTransaction tx)
        {
            if (string.IsNullOrEmpty(Name)) throw new InvalidEntryException("A name is required.");
            if (Name.Length > 52) throw new InvalidEntryException("The name is too long.");
            if (Company.Scalar(tx, "SELECT lId FROM " + Table + " WHERE sName = ?", Name) != null)
                throw new SimplyErrorMessageException("E" + DuplicateMessage + ": A record with the name '" + Name + "' already exists.");
            int currency = 1;
            if (!string.IsNullOrEmpty(CurrencyCode))
            {
                object c = Company.Scalar(tx, "SELECT lId FROM tcurrncy WHERE sCode = ?", CurrencyCode);
                if (c == null) throw new InvalidEntryException("Unknown currency " + CurrencyCode);
                currency = Convert.ToInt32(c);
            }
            int id = Company.NextId(tx, Table, "lId");
            Company.Exec(tx, "INSERT INTO " + Table + " (lId, sName, sCntcName, sStreet1, sStreet2, sCity, sProvState, sCountry, " +
                "sPostalZip, sPhone1, sPhone2, sFax, sEmail, sWebSite, dtSince, lCurrncyId) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,CURDATE(),?)",
                id, Name, Contact, Street1, Street2, City, Province, Country, PostalCode, Phone1, Phone2, Fax, Email, WebSite, currency);
        }
    }

    // What one tax authority adds to an invoice.
    public class TaxSummaryInfo
    {
        internal Dictionary<string, decimal> amounts = new Dictionary<string, decimal>();
        internal List<string> names = new List<string>();
        internal bool saved;
        public int GetCount() { return names.Count; }
        public string GetTaxNameByRow(int row) { return names[row - 1]; }
        public double GetTaxAmountByRow(int row) { return (double)amounts[names[row - 1]]; }
        public void SetTaxAmountByName(string taxName, double amount)
        {
            if (!amounts.ContainsKey(taxName)) throw new InvalidEntryException("The tax " + taxName + " is not on this invoice.");
            amounts[taxName] = Company.Money(amount);
        }
        public void Save() { saved = true; }
    }

    public abstract class Journal
    {
        protected DateTime? date;
        public string CurrencySelected = "";
        public double ExchangeRate;

        public void SetJournalDate(string text) { Company.Guard(); date = Company.ParseDate(text); }
        public string GetJournalDate() { return date.HasValue ? date.Value.ToString("yyyy-MM-dd") : ""; }

        public int GetLastJournalNumber() { return GetLastJournalNumber(false); }
        public int GetLastJournalNumber(bool lastYear)
        {
            Company.Guard();
            return Convert.ToInt32(Company.Scalar(null, "SELECT COALESCE(MAX(lId), 0) FROM tjourent"));
        }

        protected static void CheckLine(int line)
        {
            if (line < 1) throw new InvalidEntryException("Line numbers start at 1.");
        }

        public bool Post()
        {
            Company.Guard();
            if (!date.HasValue) throw new InvalidEntryException("Enter a journal date.");
            string doc = DocumentNumber();
            if (Company.Fault("ask", doc) &&
                Company.Alert.AskAlert(new SimplyMessage("The quantity sold is more than the quantity on hand. Do you want to continue?")) != AlertResult.YES)
                return false;
            OdbcTransaction tx = Company.Conn.BeginTransaction();
            try
            {
                Write(tx);
                if (Company.Fault("hang", doc)) Thread.Sleep(Timeout.Infinite);
                tx.Commit();
            }
            catch
            {
                try { tx.Rollback(); } catch { }
                Company.Poisoned = true;
                throw;
            }
            Reset();
            if (Company.Fault("exit", doc)) Environment.Exit(70);
            return !Company.Fault("false", doc);
        }

        protected decimal Rate(OdbcTransaction tx, int currency)
        {
            if (currency == 1) return 1m;
            if (ExchangeRate > 0) return (decimal)ExchangeRate;
            object r = Company.Scalar(tx, "SELECT dExchRate FROM tcurrexr WHERE lCurrncyId = ? AND dtDate <= ? ORDER BY dtDate DESC LIMIT 1",
                currency, date.Value);
            if (r == null) throw new SimplyErrorMessageException("There is no exchange rate for this date.");
            return Convert.ToDecimal(r);
        }

        // Writes the journal entry header and its lines (debit positive); checks the entry balances.
        protected int WriteEntry(OdbcTransaction tx, int module, int recId, string source, string comment, List<KeyValuePair<int, decimal>> lines)
        {
            decimal sum = 0;
            foreach (KeyValuePair<int, decimal> l in lines) sum += l.Value;
            if (sum != 0) throw new SimplyErrorMessageException("The transaction is not balanced (off by " + sum.ToString(CultureInfo.InvariantCulture) + ").");
            int id = Company.NextId(tx, "tjourent", "lId");
            Company.Exec(tx, "INSERT INTO tjourent (lId, dtJourDate, dtASDate, sSource, sComment, nModule, nType, lRecId) VALUES (?,?,NOW(),?,?,?,0,?)",
                id, date.Value, source, comment, module, recId);
            int n = 1;
            foreach (KeyValuePair<int, decimal> l in lines)
            {
                if (l.Value == 0) continue;
                Company.Exec(tx, "INSERT INTO tjentact (lJEntId, nLineNum, lAcctId, dAmount, szComment) VALUES (?,?,?,?,'')",
                    id, n++, l.Key, Company.Signed(l.Key, l.Value));
            }
            return id;
        }

        protected abstract string DocumentNumber();
        protected abstract void Write(OdbcTransaction tx);
        protected abstract void Reset();
        public abstract void Undo();
    }

    public class InvoiceLine
    {
        public string Item = "", Description = "", Account = "", TaxCode = "";
        public double Quantity, Price, Amount;
        public bool AmountSet;
        public TaxSummaryInfo Taxes;
    }

    public abstract class InvoiceJournal : Journal
    {
        protected short? transType;
        protected int partyId;
        protected string partyName = "";
        protected string invoiceNumber = "";
        protected string orderNumber = "";
        protected string location = "";
        protected SortedDictionary<int, InvoiceLine> lines = new SortedDictionary<int, InvoiceLine>();
        protected TaxSummaryInfo total;

        protected abstract bool Sales { get; }
        protected string PartyTable { get { return Sales ? "tcustomr" : "tvendor"; } }

        void RequireType() { Company.Guard(); if (!transType.HasValue) throw new SimplyNoAccessException("Select the transaction type first."); }

        public void SelectTransType(short type)
        {
            Company.Guard();
            if (type != 0) throw new SimplyNoAccessException("Orders and quotes are not available in this company.");
            transType = type;
        }

        public string InvoiceNumber
        {
            get { return invoiceNumber; }
            set { RequireType(); if (value != null && value.Length > 20) throw new InvalidEntryException("The invoice number is too long."); invoiceNumber = value ?? ""; }
        }

        public string OrderQuoteNum
        {
            get { return orderNumber; }
            set { RequireType(); orderNumber = value ?? ""; }
        }

        public int SelectAPARLedger(string name)
        {
            RequireType();
            object id = Company.Scalar(null, "SELECT lId FROM " + PartyTable + " WHERE sName = ? AND bInactive = 0", name);
            partyId = id == null ? -1 : Convert.ToInt32(id);
            partyName = id == null ? "" : name;
            return partyId;
        }

        public string GetAPARLedgerName() { return partyName; }

        public void SelectLocation(string name)
        {
            RequireType();
            if (Company.Scalar(null, "SELECT lId FROM tinvloc WHERE sName = ?", name) == null)
                throw new InvalidEntryException("Unknown location " + name);
            location = name;
        }

        public void SelectPaidByType(string type) { RequireType(); if (type != "Pay Later") throw new InvalidEntryException("Only Pay Later is supported here."); }

        InvoiceLine Line(int line)
        {
            RequireType();
            CheckLine(line);
            if (partyId <= 0) throw new SimplyNoAccessException("Select a customer or vendor first.");
            InvoiceLine l;
            if (!lines.TryGetValue(line, out l)) { l = new InvoiceLine(); lines[line] = l; }
            return l;
        }

        public void SetItemNumber(string item, int line)
        {
            InvoiceLine l = Line(line);
            if (Company.Scalar(null, "SELECT lId FROM tinvent WHERE sPartCode = ? AND bInactive = 0", item) == null)
                throw new InvalidEntryException("The item " + item + " does not exist.");
            l.Item = item;
        }
        public void SetDescription(string text, int line) { Line(line).Description = text ?? ""; }
        public void SetQuantity(double quantity, int line) { Line(line).Quantity = quantity; }
        public void SetPrice(double price, int line) { Line(line).Price = price; }
        public void SetLineAmount(double amount, int line) { InvoiceLine l = Line(line); l.Amount = amount; l.AmountSet = true; }
        public void SetLineAccount(string account, int line)
        {
            InvoiceLine l = Line(line);
            Company.RequirePostable(null, Company.AccountId(account), account);
            l.Account = account;
        }
        public void SetTaxCodeString(string code, int line)
        {
            InvoiceLine l = Line(line);
            if (!string.IsNullOrEmpty(code) && Company.Scalar(null, "SELECT lId FROM ttaxcode WHERE sCode = ?", code) == null)
                throw new InvalidEntryException("The tax code " + code + " does not exist.");
            l.TaxCode = code ?? "";
            l.Taxes = null;
        }

        // The line's taxes at the tax code's rates, as Sage computes them before any override.
        public TaxSummaryInfo GetLineTaxAmountInfo(int line)
        {
            InvoiceLine l = Line(line);
            if (l.Taxes == null) l.Taxes = Compute(l);
            total = null;
            return l.Taxes;
        }

        public TaxSummaryInfo GetTotalTaxAmountInfo()
        {
            RequireType();
            if (total == null)
            {
                total = new TaxSummaryInfo();
                foreach (InvoiceLine l in lines.Values)
                {
                    if (l.Taxes == null) l.Taxes = Compute(l);
                    foreach (string name in l.Taxes.names)
                    {
                        if (!total.amounts.ContainsKey(name)) { total.names.Add(name); total.amounts[name] = 0; }
                        total.amounts[name] += l.Taxes.amounts[name];
                    }
                }
            }
            return total;
        }

        TaxSummaryInfo Compute(InvoiceLine l)
        {
            TaxSummaryInfo info = new TaxSummaryInfo();
            if (string.IsNullOrEmpty(l.TaxCode)) return info;
            decimal amount = LineAmount(l), running = 0;
            foreach (object[] r in Company.Rows(null, "SELECT a.sName, d.dRate FROM ttaxdtl d JOIN ttaxcode c ON c.lId = d.lTaxCodeId " +
                "JOIN ttaxauth a ON a.lId = d.lTaxAuthId WHERE c.sCode = ? ORDER BY d.lTaxAuthId", l.TaxCode))
            {
                decimal tax = Math.Round(amount * Convert.ToDecimal(r[1]) / 100m, 2, MidpointRounding.AwayFromZero);
                info.names.Add(r[0].ToString());
                info.amounts[r[0].ToString()] = tax;
                running += tax;
            }
            return info;
        }

        // Import Transactions gives each line's taxes by tax name and amount, with no tax code.
        internal void SetLineTax(int line, string taxName, decimal amount)
        {
            InvoiceLine l = Line(line);
            if (Company.Scalar(null, "SELECT lId FROM ttaxauth WHERE sName = ?", taxName) == null)
                throw new InvalidEntryException("The tax " + taxName + " does not exist.");
            if (l.Taxes == null) l.Taxes = new TaxSummaryInfo();
            if (!l.Taxes.amounts.ContainsKey(taxName)) { l.Taxes.names.Add(taxName); l.Taxes.amounts[taxName] = 0; }
            l.Taxes.amounts[taxName] += amount;
            total = null;
        }

        protected static decimal LineAmount(InvoiceLine l)
        {
            return l.AmountSet ? Company.Money(l.Amount) : Company.Money(l.Quantity * l.Price);
        }

        public double GetTotalAmount()
        {
            decimal sum = 0;
            foreach (InvoiceLine l in lines.Values) sum += LineAmount(l);
            foreach (decimal t in GetTotalTaxAmountInfo().amounts.Values) sum += t;
            return (double)sum;
        }

        protected override string DocumentNumber() { return invoiceNumber; }

        protected override void Write(OdbcTransaction tx)
        {
            if (!transType.HasValue) throw new SimplyNoAccessException("Select the transaction type first.");
            if (partyId <= 0) throw new SimplyErrorMessageException("Select a customer or vendor.");
            if (lines.Count == 0) throw new SimplyErrorMessageException("Enter at least one line.");
            if (string.IsNullOrEmpty(invoiceNumber)) throw new SimplyErrorMessageException("Enter an invoice number.");
            object usedBy = Sales ? Company.Scalar(tx, "SELECT lId FROM tcustr WHERE sSource = ?", invoiceNumber)
                                  : Company.Scalar(tx, "SELECT lId FROM tventr WHERE sSource = ? AND lVenId = ?", invoiceNumber, partyId);
            if (usedBy != null)
                throw new SimplyErrorMessageException("This invoice number has already been used. Enter a different number.");
            int currency = Convert.ToInt32(Company.Scalar(tx, "SELECT lCurrncyId FROM " + PartyTable + " WHERE lId = ?", partyId));
            decimal rate = Rate(tx, currency);
            List<KeyValuePair<int, decimal>> entry = new List<KeyValuePair<int, decimal>>();
            decimal docTotal = 0, preTax = 0;
            foreach (InvoiceLine l in lines.Values)
            {
                decimal amount = LineAmount(l);
                preTax += amount;
                int account = LineAccount(tx, l);
                entry.Add(new KeyValuePair<int, decimal>(account, Home(Sales ? -amount : amount, rate)));
                if (!string.IsNullOrEmpty(l.Item)) Stock(tx, l, entry);
            }
            TaxSummaryInfo taxes = GetTotalTaxAmountInfo();
            foreach (string name in taxes.names)
            {
                decimal tax = taxes.amounts[name];
                if (tax == 0) continue;
                object acct = Company.Scalar(tx, "SELECT " + (Sales ? "lAcTaxChg" : "lAcTaxPd") + ", lId FROM ttaxauth WHERE sName = ?", name);
                entry.Add(new KeyValuePair<int, decimal>(Convert.ToInt32(acct), Home(Sales ? -tax : tax, rate)));
                docTotal += tax;
            }
            docTotal += preTax;
            int control = Convert.ToInt32(Company.Scalar(tx, "SELECT " + (Sales ? "lAcRec" : "lAcPay") + " FROM tcurrncy WHERE lId = ?", currency));
            decimal rest = 0;
            foreach (KeyValuePair<int, decimal> e in entry) rest += e.Value;
            entry.Insert(0, new KeyValuePair<int, decimal>(control, -rest));  // conversion rounding lands on the control account
            int journal = WriteEntry(tx, Sales ? 2 : 1, partyId, invoiceNumber, (Sales ? "Sales invoice " : "Purchase invoice ") + invoiceNumber, entry);
            string tr = Sales ? "tcustr" : "tventr", dt = Sales ? "tcustrdt" : "tventrdt", key = Sales ? "lCusTrId" : "lVenTrId";
            int trId = Company.NextId(tx, tr, "lId");
            Company.Exec(tx, "INSERT INTO " + tr + " (lId, " + (Sales ? "lCusId" : "lVenId") + ", nTranType, sSource, dtDate, dPreTaxAmt, sRef, bHasDetail) VALUES (?,?,0,?,?,?,?,1)",
                trId, partyId, invoiceNumber, date.Value, preTax, orderNumber);
            int dtId = Company.NextId(tx, dt, "lId");
            Company.Exec(tx, "INSERT INTO " + dt + " (lId, " + key + ", nTranType, dtDate, dAmount, sSource, dAmtOwg) VALUES (?,?,0,?,?,?,?)",
                dtId, trId, date.Value, docTotal, invoiceNumber, docTotal);
            foreach (string name in taxes.names)
                Company.Exec(tx, "INSERT INTO tjenttax (lJEntId, lTaxAuthId, dTaxable, dTaxAmt) SELECT ?, lId, ?, ? FROM ttaxauth WHERE sName = ?",
                    journal, preTax, taxes.amounts[name], name);
            WriteMore(tx, trId);
        }

        protected virtual void WriteMore(OdbcTransaction tx, int trId) { }

        static decimal Home(decimal amount, decimal rate) { return Math.Round(amount * rate, 2, MidpointRounding.AwayFromZero); }

        int LineAccount(OdbcTransaction tx, InvoiceLine l)
        {
            if (!string.IsNullOrEmpty(l.Account)) return Company.AccountId(l.Account);
            if (string.IsNullOrEmpty(l.Item)) throw new SimplyErrorMessageException("Enter an account for every line.");
            object[] item = Company.Rows(tx, "SELECT lAcRev, lAcExp, lAcNAsset, bService FROM tinvent WHERE sPartCode = ?", l.Item)[0];
            int account = Sales ? Convert.ToInt32(item[0]) : (Convert.ToInt32(item[3]) == 1 ? Convert.ToInt32(item[1]) : Convert.ToInt32(item[2]));
            if (account == 0) throw new SimplyErrorMessageException("The item " + l.Item + " has no account for this journal.");
            return account;
        }

        // Stock moves at the selected location (the first one when none is selected); sales also move cost.
        void Stock(OdbcTransaction tx, InvoiceLine l, List<KeyValuePair<int, decimal>> entry)
        {
            object[] item = Company.Rows(tx, "SELECT lId, bService, lAcNAsset, lAcExp FROM tinvent WHERE sPartCode = ?", l.Item)[0];
            if (Convert.ToInt32(item[1]) == 1) return;
            int itemId = Convert.ToInt32(item[0]);
            object loc = string.IsNullOrEmpty(location) ? Company.Scalar(tx, "SELECT MIN(lId) FROM tinvloc")
                                                        : Company.Scalar(tx, "SELECT lId FROM tinvloc WHERE sName = ?", location);
            int locId = loc == null ? 1 : Convert.ToInt32(loc);
            decimal qty = (decimal)l.Quantity;
            List<object[]> rows = Company.Rows(tx, "SELECT dInStock, dLastCost FROM tinvbyln WHERE lInventId = ? AND lLocId = ? FOR UPDATE", itemId, locId);
            decimal cost = rows.Count > 0 ? Convert.ToDecimal(rows[0][1]) : 0;
            if (rows.Count == 0)
                Company.Exec(tx, "INSERT INTO tinvbyln (lInventId, lLocId, dInStock, dLastCost) VALUES (?,?,0,0)", itemId, locId);
            if (Sales)
            {
                Company.Exec(tx, "UPDATE tinvbyln SET dInStock = dInStock - ? WHERE lInventId = ? AND lLocId = ?", qty, itemId, locId);
                decimal value = Math.Round(cost * qty, 2, MidpointRounding.AwayFromZero);
                entry.Add(new KeyValuePair<int, decimal>(Convert.ToInt32(item[3]), value));
                entry.Add(new KeyValuePair<int, decimal>(Convert.ToInt32(item[2]), -value));
            }
            else
            {
                decimal unit = qty != 0 ? Math.Round(LineAmount(l) / qty, 4) : cost;
                Company.Exec(tx, "UPDATE tinvbyln SET dInStock = dInStock + ?, dLastCost = ? WHERE lInventId = ? AND lLocId = ?", qty, unit, itemId, locId);
            }
        }

        protected override void Reset()
        {
            transType = null; partyId = 0; partyName = ""; invoiceNumber = ""; orderNumber = ""; location = "";
            lines.Clear(); total = null; date = null; ExchangeRate = 0;
        }

        public override void Undo() { Reset(); }
    }
}

namespace SimplySDK.ReceivableModule
{
    public class CustomerLedger : APARLedgerBase
    {
        public string PriceList = "";
        protected override string Table { get { return "tcustomr"; } }
        protected override int DuplicateMessage { get { return 71; } }
    }

    public class SalesJournal : InvoiceJournal
    {
        protected override bool Sales { get { return true; } }
    }
}

namespace SimplySDK.PayableModule
{
    public class VendorLedger : APARLedgerBase
    {
        public string TaxId = "";
        protected override string Table { get { return "tvendor"; } }
        protected override int DuplicateMessage { get { return 72; } }
    }

    public class PurchasesJournal : InvoiceJournal
    {
        bool received;
        public bool IsInvoiceReceived
        {
            get { return received; }
            set { Company.Guard(); if (!transType.HasValue) throw new SimplyNoAccessException("Select the transaction type first."); received = value; }
        }
        protected override bool Sales { get { return false; } }
        protected override void WriteMore(OdbcTransaction tx, int trId) { received = false; }
    }
}

namespace SimplySDK.InventoryModule
{
    public class InventoryLedger : LedgerBase
    {
        public string Number = "", Name = "", NameAlt = "", StockingUnit = "Each", StockingUnitAlt = "";
        public bool IsServiceType, IsActivityType;
        public double RegularPrice, PreferredPrice;
        public string AssetAccount = "", RevenueAccount = "", ExpenseAccount = "", VarianceAccount = "";

        public bool LoadByPartCode(string code)
        {
            Company.Guard();
            return Company.Scalar(null, "SELECT lId FROM tinvent WHERE sPartCode = ?", code) != null;
        }

        int Account(OdbcTransaction tx, string number, string what, bool required)
        {
            if (string.IsNullOrEmpty(number))
            {
                if (required) throw new InvalidEntryException("Enter the " + what + " account.");
                return 0;
            }
            int id = Company.AccountId(number);
            Company.RequirePostable(tx, id, number);
            return id;
        }

        protected override void Write(OdbcTransaction tx)
        {
            if (string.IsNullOrEmpty(Number) || Number.Length > 52) throw new InvalidEntryException("Invalid item number.");
            if (Company.Scalar(tx, "SELECT lId FROM tinvent WHERE sPartCode = ?", Number) != null)
                throw new SimplyErrorMessageException("E73: The item number " + Number + " is already used.");
            int asset = Account(tx, AssetAccount, "asset", !IsServiceType);
            int revenue = Account(tx, RevenueAccount, "revenue", true);
            int expense = Account(tx, ExpenseAccount, IsServiceType ? "expense" : "cost of goods sold", true);
            int cls = Convert.ToInt32(Company.Scalar(tx, "SELECT nAcctClass FROM taccount WHERE lId = ?", expense));
            // Inventory items take a Cost of Goods Sold class account; services an expense class one (classes.py).
            if (!IsServiceType && cls != 41)
                throw new InvalidEntryException("The account " + ExpenseAccount + " must be of class Cost of Goods Sold.");
            if (IsServiceType && (cls < 40 || cls > 44 || cls == 41))
                throw new InvalidEntryException("The account " + ExpenseAccount + " must be of an expense class.");
            int id = Company.NextId(tx, "tinvent", "lId");
            Company.Exec(tx, "INSERT INTO tinvent (lId, sPartCode, sName, sSellUnit, sBuyUnit, sStockUnit, bService, lAcNAsset, lAcRev, lAcExp) VALUES (?,?,?,?,?,?,?,?,?,?)",
                id, Number, Name, StockingUnit, StockingUnit, StockingUnit, IsServiceType ? 1 : 0, asset, revenue, expense);
            Company.Exec(tx, "INSERT INTO tinvprc (lInventId, dPrice) VALUES (?, ?)", id, Company.Money(RegularPrice));
        }
    }
}

namespace SimplySDK.GeneralModule
{
    public class GeneralJournal : Journal
    {
        public string Source = "", Comment = "";
        SortedDictionary<int, string> accounts = new SortedDictionary<int, string>();
        SortedDictionary<int, decimal> amounts = new SortedDictionary<int, decimal>();

        public void SetAccount(string account, int line)
        {
            Company.Guard(); CheckLine(line);
            Company.RequirePostable(null, Company.AccountId(account), account);
            accounts[line] = account;
        }
        public void SetDebit(double amount, int line) { Company.Guard(); CheckLine(line); amounts[line] = Company.Money(amount); }
        public void SetCredit(double amount, int line) { Company.Guard(); CheckLine(line); amounts[line] = -Company.Money(amount); }
        public void SetComment(string text, int line) { Company.Guard(); CheckLine(line); }

        protected override string DocumentNumber() { return Source; }

        protected override void Write(OdbcTransaction tx)
        {
            if (string.IsNullOrEmpty(Source)) throw new SimplyErrorMessageException("Enter a source.");
            if (Source.Length > 20) throw new InvalidEntryException("The source is too long.");
            int currency = 1;
            if (!string.IsNullOrEmpty(CurrencySelected))
            {
                object c = Company.Scalar(tx, "SELECT lId FROM tcurrncy WHERE sCode = ?", CurrencySelected);
                if (c == null) throw new InvalidEntryException("Unknown currency " + CurrencySelected);
                currency = Convert.ToInt32(c);
            }
            decimal rate = Rate(tx, currency);
            List<KeyValuePair<int, decimal>> lines = new List<KeyValuePair<int, decimal>>();
            foreach (KeyValuePair<int, string> a in accounts)
            {
                decimal amount;
                amounts.TryGetValue(a.Key, out amount);
                lines.Add(new KeyValuePair<int, decimal>(Company.AccountId(a.Value), Math.Round(amount * rate, 2, MidpointRounding.AwayFromZero)));
            }
            decimal foreignSum = 0;
            foreach (decimal v in amounts.Values) foreignSum += v;
            if (foreignSum != 0) throw new SimplyErrorMessageException("The transaction is not balanced.");
            decimal homeSum = 0;
            foreach (KeyValuePair<int, decimal> l in lines) homeSum += l.Value;
            if (homeSum != 0 && lines.Count > 0)  // conversion rounding goes to the last line
                lines[lines.Count - 1] = new KeyValuePair<int, decimal>(lines[lines.Count - 1].Key, lines[lines.Count - 1].Value - homeSum);
            WriteEntry(tx, 0, 0, Source, Comment, lines);
        }

        protected override void Reset() { Source = ""; Comment = ""; accounts.Clear(); amounts.Clear(); date = null; CurrencySelected = ""; ExchangeRate = 0; }
        public override void Undo() { Reset(); }
    }
}

namespace SimplySDK
{
    using SimplySDK.GeneralModule;
    using SimplySDK.InventoryModule;
    using SimplySDK.PayableModule;
    using SimplySDK.ReceivableModule;

    public class SDKInstanceManager
    {
        public enum SDKResult
        {
            SUCCESS, FAIL_PATH_NOT_EXIST, FAIL_CONNECTIONMGR_NONE, FAIL_MYSQL_NOTRUNNING, FAIL_ANOTHER_DATABASE_IS_OPEN,
            FAIL_DATABASE_CONNECTION_FAILED, FAIL_INVALID_SECURITY_DETAILS, FAIL_USER_LOGON_FAILED
        }

        static readonly SDKInstanceManager instance = new SDKInstanceManager();
        public static SDKInstanceManager Instance { get { return instance; } }

        public void SetAlertImplementation(SDKAlert alert) { Company.Alert = alert; }

        public bool OpenDatabase(string saiPath, string user, string password, bool openMultiUserMode, string tpAppName,
                                 string tpAppCode, short tpAppVer, out SDKResult result)
        {
            if (Company.Conn != null) { result = SDKResult.FAIL_ANOTHER_DATABASE_IS_OPEN; return false; }
            if (!File.Exists(saiPath)) { result = SDKResult.FAIL_PATH_NOT_EXIST; return false; }
            if (string.IsNullOrEmpty(tpAppCode) || tpAppCode.Length > 6) { result = SDKResult.FAIL_INVALID_SECURITY_DETAILS; return false; }
            Dictionary<string, string> sai = new Dictionary<string, string>();
            foreach (string line in File.ReadAllLines(saiPath))
            {
                int eq = line.IndexOf('=');
                if (eq > 0) sai[line.Substring(0, eq).Trim()] = line.Substring(eq + 1).Trim();
            }
            if (!sai.ContainsKey("database")) { result = SDKResult.FAIL_DATABASE_CONNECTION_FAILED; return false; }
            string server = "Driver={MariaDB Unicode};Server=" + sai["host"] + ";Port=" + sai["port"] + ";Database=" + sai["database"] + ";";
            try
            {
                // Sage signs the user in with the company's own credentials: the sandbox checks them the same way.
                using (OdbcConnection probe = new OdbcConnection(server + "User=" + user + ";Password=" + password + ";")) probe.Open();
            }
            catch (OdbcException e)
            {
                result = (e.Message.Contains("1045") || e.Message.Contains("Access denied")) ? SDKResult.FAIL_USER_LOGON_FAILED : SDKResult.FAIL_MYSQL_NOTRUNNING;
                return false;
            }
            OdbcConnection conn = new OdbcConnection(server + "User=" + sai["writer"] + ";Password=" + sai["writer_password"] + ";");
            conn.Open();
            Company.Conn = conn;
            Company.Poisoned = false;
            Company.AccountLength = Convert.ToInt32(Company.Scalar(null, "SELECT nActNumLen FROM tcompoth"));
            result = SDKResult.SUCCESS;
            return true;
        }

        public bool OpenDatabase(string saiPath, string user, string password, bool openMultiUserMode, string tpAppName,
                                 string tpAppCode, short tpAppVer)
        {
            SDKResult ignored;
            return OpenDatabase(saiPath, user, password, openMultiUserMode, tpAppName, tpAppCode, tpAppVer, out ignored);
        }

        public void CloseDatabase() { if (Company.Conn != null) { Company.Conn.Close(); Company.Conn = null; } }

        public CustomerLedger OpenCustomerLedger() { Company.Guard(); return new CustomerLedger(); }
        public void CloseCustomerLedger() { }
        public VendorLedger OpenVendorLedger() { Company.Guard(); return new VendorLedger(); }
        public void CloseVendorLedger() { }
        public InventoryLedger OpenInventoryLedger() { Company.Guard(); return new InventoryLedger(); }
        public void CloseInventoryLedger() { }
        public SalesJournal OpenSalesJournal() { Company.Guard(); return new SalesJournal(); }
        public void CloseSalesJournal() { }
        public PurchasesJournal OpenPurchasesJournal() { Company.Guard(); return new PurchasesJournal(); }
        public void ClosePurchasesJournal() { }
        public GeneralJournal OpenGeneralJournal() { Company.Guard(); return new GeneralJournal(); }
        public void CloseGeneralJournal() { }
    }
}
