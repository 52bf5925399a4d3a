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

// The roster's worker name as a real button: reachable by keyboard, announced as a control. Its click sends the
// row id to Dash as the grid's cellRendererData (the server checks the id before showing anything).
dagcomponentfuncs.WorkerLink = function (props) {
    return React.createElement('button', {
        type: 'button', className: 'btn btn-link p-0 roster-worker-button',
        onClick: function () { props.setData(props.data.row_id); },
    }, props.value);
};
