// Cell renderers for dash-ag-grid (looked up by name in columnDefs' cellRenderer).
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

// The roster's compact per-principle coverage: one small bar per principle, its share of the principle's
// competencies rated proficient; the full wording is the cell's accessible name and tooltip.
dagcomponentfuncs.PrincipleBars = function (props) {
    const items = props.value || [];
    const text = items.map(function (p) {
        return p.name + ': ' + p.proficient + ' of ' + p.of + ' proficient';
    }).join('; ');
    return React.createElement('div', {className: 'principle-bars', role: 'img', 'aria-label': text, title: text},
        items.map(function (p) {
            const pct = p.share === null ? 0 : Math.round(p.share * 100);
            return React.createElement('span', {key: p.code, className: 'principle-bar'},
                React.createElement('span', {className: 'principle-bar-track'},
                    React.createElement('span', {className: 'principle-bar-fill', style: {height: pct + '%'}})),
                React.createElement('span', {className: 'principle-bar-label'}, p.abbr));
        }));
};
