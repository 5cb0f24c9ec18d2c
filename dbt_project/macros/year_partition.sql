{#
    Year partitioning.

    Dagster runs dbt once per census year with --vars '{"year": N}'.

    * `year_filter()`: staging models keep only year N when the var is given,
      every year otherwise.
    * Mart tables are `incremental` (strategy `append`: the pre-hook has already
      deleted the year) and carry `meta: {year_partitioned: true}`. For them:
        - with the var: the rows of year N are deleted (pre-hook, so a year that
          now has no rows is emptied too) and the newly computed rows of year N
          inserted; other years stay exactly as they were. `--full-refresh` is
          ignored in this case, because a rebuild from a one-year staging layer
          would drop every other year.
        - without the var: the table is always rebuilt from scratch over all
          years of `raw` (a year removed from `raw` disappears from the marts).
#}

{% macro census_year() -%}
    {%- set year = var('year', none) -%}
    {%- if year is none or (year | string | trim) == '' -%}
        {{ return(none) }}
    {%- endif -%}
    {%- if not (year | string | trim).isdigit() -%}
        {{ exceptions.raise_compiler_error("var 'year' must be an integer census year, got: " ~ year) }}
    {%- endif -%}
    {{ return(year | string | trim | int) }}
{%- endmacro %}


{% macro year_filter(column='year') -%}
    {%- set year = census_year() -%}
    {%- if year is not none -%}
        where {{ column }} = {{ year }}
    {%- endif -%}
{%- endmacro %}


{% macro delete_year_partition() -%}
    {%- set year = census_year() -%}
    {%- if year is not none and is_incremental() -%}
        delete from {{ this }} where year = {{ year }}
    {%- endif -%}
{%- endmacro %}


{#
    dbt's own should_full_refresh(), plus the rule above for year-partitioned
    tables. A root-project macro of the same name takes precedence over dbt's.
#}
{% macro should_full_refresh() %}
    {%- set meta = config.get('meta') or {} -%}
    {%- if meta.get('year_partitioned') -%}
        {%- do return(census_year() is none) -%}
    {%- endif -%}
    {%- set config_full_refresh = config.get('full_refresh') -%}
    {%- if config_full_refresh is none -%}
        {%- set config_full_refresh = flags.FULL_REFRESH -%}
    {%- endif -%}
    {%- do return(config_full_refresh) -%}
{% endmacro %}


{#
    Guard (first pre-hook of every mart table): the intermediate layer must have been
    built for the same year(s) as this run. A mart reads persisted intermediate tables;
    if only some models are selected (e.g. one Dagster asset) while the intermediate
    tables still hold another year's run, the year's insert would otherwise publish the
    wrong year's figures. The check compares the census years of int_schools (the
    ancestor of every mart) with those of raw.schools for this run.
#}
{% macro assert_intermediate_matches_run() -%}
    {%- if execute and (config.get('meta') or {}).get('year_partitioned') -%}
    {#- relations looked up in the graph: ref() / source() in a hook would need declared dependencies -#}
    {%- set int_schools = graph.nodes['model.equity.int_schools'] -%}
    {%- set raw_schools = graph.sources['source.equity.census.schools'] -%}
    {%- set int_relation = api.Relation.create(database=int_schools.database, schema=int_schools.schema,
                                               identifier=int_schools.alias) -%}
    {%- set raw_relation = api.Relation.create(database=raw_schools.database, schema=raw_schools.schema,
                                               identifier=raw_schools.identifier) -%}
    {%- set run_years -%}
        select distinct year from {{ raw_relation }} {{ year_filter() }}
    {%- endset -%}
    {%- set built_years -%}
        select distinct year from {{ int_relation }}
    {%- endset -%}
    select case
        when exists (({{ run_years }}) except ({{ built_years }}))
          or exists (({{ built_years }}) except ({{ run_years }}))
        then error('{{ this }}: the intermediate models hold other census years than this run '
                   || '({{ "year " ~ census_year() if census_year() is not none else "every year" }}); '
                   || 'run the whole project (dbt build) for this run, not only some of its models')
    end
    {%- endif -%}
{%- endmacro %}


{#
    Generic data tests on a year-partitioned mart table read only the run's census year
    when the `year` var is given (every year without it). The run deletes and inserts
    that year only, the other years were tested when they were built, and every key of
    these tables includes `year`, so uniqueness, relationships (the child rows of the
    year; `to` is read whole), accepted values, not-null and row expressions on the
    year's rows check everything the run changed, in one year's scan instead of a
    decade's. Staging views and intermediate tables already hold the run's year only;
    rollup views (year_partitioned false, year-over-year reads the previous year) and
    singular tests are not filtered.

    dbt wraps the `model` argument of every generic test in get_where_subquery(); this
    root-project macro replaces dbt's, adding the year to the test's own `where` config.
    The subquery has no alias, so that a test may alias it (`from {{ model }} as child`).
#}
{% macro get_where_subquery(relation) -%}
    {%- set conditions = [] -%}
    {%- set where = config.get('where', '') -%}
    {%- if where -%}
        {%- do conditions.append('(' ~ where ~ ')') -%}
    {%- endif -%}
    {%- set year = census_year() -%}
    {%- if execute and year is not none -%}
        {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ relation.identifier) -%}
        {%- if node and ((node.config or {}).get('meta') or {}).get('year_partitioned') -%}
            {%- do conditions.append('year = ' ~ year) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if conditions -%}
        {%- do return('(select * from ' ~ relation ~ ' where ' ~ conditions | join(' and ') ~ ')') -%}
    {%- endif -%}
    {%- do return(relation) -%}
{%- endmacro %}


{#
    The new rows of a year-partitioned mart table are computed once, straight into
    the table. dbt-duckdb's incremental materialization first creates a temporary
    relation from the model's query, reads its columns (to add new ones to the
    table: on_schema_change) and inserts from it; as a temporary table that was a
    second copy of every row (1.6 million for school_stage_indicators at nation
    size), kept in memory to the end of the run. For these models the temporary
    relation is a view over the query: its columns are known without computing it,
    and the insert (strategy `append`) computes it once. Every other table, and the
    first build or full rebuild of a mart table, is created by dbt-duckdb's own macro.
#}
{% macro duckdb__create_table_as(temporary, relation, compiled_code, language='sql', partitioned_by=none, sorted_by=none) -%}
    {%- if temporary and language == 'sql' and (config.get('meta') or {}).get('year_partitioned') -%}
        create temporary view {{ relation.include(database=false, schema=false) }} as (
            {{ compiled_code }}
        );
    {%- else -%}
        {{ dbt.duckdb__create_table_as(temporary, relation, compiled_code, language, partitioned_by, sorted_by) }}
    {%- endif -%}
{%- endmacro %}
