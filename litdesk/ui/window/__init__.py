"""The main window: its layout, menus and the wiring of controllers to views."""
