"""The interface shared by every connector (SQL, CSV, Parquet, Spark, Delta)."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping

import pandas as pd


class Connector(ABC):
    """A store of named tables that SynthoHive can read from and write to.

    Subclasses implement :meth:`read_table`, :meth:`write_table` and :meth:`list_tables`;
    :meth:`read_tables` and :meth:`write_tables` have working defaults that implementations
    may override (for instance to write inside one transaction per table).
    """

    @abstractmethod
    def list_tables(self) -> list[str]:
        """Return the names of the tables in the store."""

    @abstractmethod
    def read_table(self, name: str) -> pd.DataFrame:
        """Read one table into a typed DataFrame.

        Parameters
        ----------
        name : str
            Table name.

        Returns
        -------
        DataFrame
            The table.

        Raises
        ------
        ConnectorError
            If the table does not exist (the message lists the available ones) or cannot be
            read.
        """

    @abstractmethod
    def write_table(self, name: str, df: pd.DataFrame, if_exists: str = "fail") -> None:
        """Write one table; a failure leaves no half-written table behind.

        Parameters
        ----------
        name : str
            Table name.
        df : DataFrame
            Rows to write.
        if_exists : {"fail", "replace", "append"}, default="fail"
            What to do when the table already exists.

        Raises
        ------
        ConnectorError
            If the write fails, or the table exists and ``if_exists="fail"``.
        """

    def read_tables(self, names: Iterable[str] | None = None) -> dict[str, pd.DataFrame]:
        """Read several tables (all of them when ``names`` is None).

        Parameters
        ----------
        names : iterable of str, optional
            Tables to read.

        Returns
        -------
        dict of str to DataFrame
            The tables, by name.
        """
        names = self.list_tables() if names is None else list(names)
        return {name: self.read_table(name) for name in names}

    def write_tables(
        self, tables: Mapping[str, pd.DataFrame], if_exists: str = "fail"
    ) -> None:
        """Write several tables in the given order (pass parents before children).

        This default writes them one by one; when one fails, the error carries a note
        naming the tables already written. Connectors that can (``SQLConnector``) write all
        of them in one transaction instead.

        Parameters
        ----------
        tables : mapping of str to DataFrame
            Tables to write, in order.
        if_exists : {"fail", "replace", "append"}, default="fail"
            Passed to :meth:`write_table`.
        """
        written: list[str] = []
        for name, df in tables.items():
            try:
                self.write_table(name, df, if_exists=if_exists)
            except BaseException as exc:
                if written:
                    exc.add_note(f"Table {name!r} was not written; tables {written} were "
                                 "written before the failure (remove them, or write again "
                                 "with if_exists='replace').")
                raise
            written.append(name)
